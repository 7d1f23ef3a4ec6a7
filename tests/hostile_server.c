#include "tests/hostile_server.h"

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

#include "base/util.h"
#include "tests/realdata/http_server.h"

#define ZERO_CHUNK (1u << 20)
#define GZIP_TOTAL (3ull << 30)    /* decoded size of a gzip body */
#define MSZIP_BLOCK 32768u

struct kdx_hostile_server {
    kdx_hostile_opts o;
    kdx_http_server *http;
    char url[64];
    pthread_mutex_t lock;
    kdx_strbuf requests;
    int nrequests;
    uint8_t *cab;             /* CAB_BOMB body */
    size_t cab_len;
};

/* ---- bodies ------------------------------------------------------------- */

static const char msf_sig[] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";

/* What a file of this name starts with, so that only the size, the time or
 * the rate can stop the client (not a wrong signature). */
static void signature_for(const char *path, const char **sig, size_t *len)
{
    *sig = "";
    *len = 0;
    if (kdx_ends_with_i(path, ".pdb")) {
        *sig = msf_sig;
        *len = sizeof msf_sig - 1;
    } else if (kdx_ends_with_i(path, ".sys") || kdx_ends_with_i(path, ".exe") ||
               kdx_ends_with_i(path, ".dll")) {
        *sig = "MZ";
        *len = 2;
    }
}

/* Raw deflate of len bytes of in with the given flush; appended to out. */
static void deflate_into(z_stream *z, const uint8_t *in, size_t len, int flush, kdx_strbuf *out)
{
    uint8_t buf[65536];
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)len;
    do {
        z->next_out = buf;
        z->avail_out = sizeof buf;
        deflate(z, flush);
        kdx_sb_putn(out, (const char *)buf, sizeof buf - z->avail_out);
    } while (z->avail_out == 0);
}

typedef struct gzip_body {
    kdx_strbuf head;    /* gzip header + deflate(signature + 32 KiB of zeros) */
    kdx_strbuf zeros;   /* deflate of 1 MiB of zeros, valid after head or itself */
    unsigned repeats;
    kdx_strbuf tail;    /* final block, CRC-32, size */
} gzip_body;

/* 3 GiB of decoded data in about 3 MB: the repeated chunk only ever refers
 * back to zeros, so it may follow itself any number of times. */
static void make_gzip(const char *sig, size_t sig_len, gzip_body *g)
{
    memset(g, 0, sizeof *g);
    uint8_t *zeros = calloc(1, ZERO_CHUNK);
    z_stream z = {0};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    static const char hdr[10] = {0x1f, (char)0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    kdx_sb_putn(&g->head, hdr, 10);
    uLong crc = crc32(0, (const Bytef *)sig, (uInt)sig_len);
    crc = crc32(crc, zeros, 32768);
    deflate_into(&z, (const uint8_t *)sig, sig_len, Z_NO_FLUSH, &g->head);
    deflate_into(&z, zeros, 32768, Z_SYNC_FLUSH, &g->head);
    deflate_into(&z, zeros, ZERO_CHUNK, Z_SYNC_FLUSH, &g->zeros);
    uLong chunk_crc = crc32(0, zeros, ZERO_CHUNK);
    g->repeats = (unsigned)((GZIP_TOTAL - sig_len - 32768) / ZERO_CHUNK);
    for (unsigned i = 0; i < g->repeats; i++)
        crc = crc32_combine(crc, chunk_crc, ZERO_CHUNK);
    deflate_into(&z, NULL, 0, Z_FINISH, &g->tail);
    uint64_t total = sig_len + 32768 + (uint64_t)g->repeats * ZERO_CHUNK;
    uint8_t trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (uint8_t)(crc >> (8 * i));
        trailer[4 + i] = (uint8_t)(total >> (8 * i));
    }
    kdx_sb_putn(&g->tail, (const char *)trailer, 8);
    deflateEnd(&z);
    free(zeros);
}

static void free_gzip(gzip_body *g)
{
    kdx_sb_free(&g->head);
    kdx_sb_free(&g->zeros);
    kdx_sb_free(&g->tail);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A CAB (MSZIP) of blocks of 32 KiB of zeros; its one file "x.pdb"
 * declares `declared` bytes. */
static void make_cab(unsigned blocks, uint32_t declared, uint8_t **out, size_t *out_len)
{
    uint8_t *zeros = calloc(1, MSZIP_BLOCK);
    kdx_strbuf block;
    kdx_sb_init(&block);
    z_stream z = {0};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    deflate_into(&z, zeros, MSZIP_BLOCK, Z_FINISH, &block);
    deflateEnd(&z);
    free(zeros);
    const char name[] = "x.pdb";
    size_t hdr = 36 + 8 + 16 + sizeof name, data = 8 + 2 + block.len;
    size_t len = hdr + (size_t)blocks * data;
    uint8_t *c = calloc(1, len);
    memcpy(c, "MSCF", 4);
    put_le(c + 8, len, 4);          /* cbCabinet */
    put_le(c + 16, 36 + 8, 4);      /* coffFiles */
    c[24] = 3;                      /* version 1.3 */
    c[25] = 1;
    put_le(c + 26, 1, 2);           /* cFolders */
    put_le(c + 28, 1, 2);           /* cFiles */
    put_le(c + 36, hdr, 4);         /* CFFOLDER.coffCabStart */
    put_le(c + 40, blocks, 2);      /* cCFData */
    put_le(c + 42, 1, 2);           /* MSZIP */
    put_le(c + 44, declared, 4);    /* CFFILE.cbFile */
    memcpy(c + 60, name, sizeof name);
    for (unsigned i = 0; i < blocks; i++) {
        uint8_t *d = c + hdr + (size_t)i * data;
        put_le(d + 4, 2 + block.len, 2); /* cbData; checksum 0: none */
        put_le(d + 6, MSZIP_BLOCK, 2);   /* cbUncomp */
        memcpy(d + 8, "CK", 2);
        memcpy(d + 10, block.s, block.len);
    }
    kdx_sb_free(&block);
    *out = c;
    *out_len = len;
}

/* ---- connection handling ------------------------------------------------ */

static bool send_text(kdx_http_server *s, int fd, const char *text)
{
    return kdx_http_send_all(s, fd, text, strlen(text));
}

/* Waits up to ms, returning false early when the client left or the server stops. */
static bool linger(kdx_http_server *s, int fd, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (kdx_http_server_stopping(s))
            return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char c;
        if (poll(&p, 1, 20) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0)
            return false;
    }
    return true;
}

static void send_gzip(kdx_http_server *s, int fd, const char *path)
{
    const char *sig;
    size_t sig_len;
    signature_for(path, &sig, &sig_len);
    gzip_body g;
    make_gzip(sig, sig_len, &g);
    uint64_t total = g.head.len + (uint64_t)g.repeats * g.zeros.len + g.tail.len;
    char hdr[160];
    snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                              "Content-Length: %llu\r\nConnection: close\r\n\r\n",
             (unsigned long long)total);
    bool ok = send_text(s, fd, hdr) && kdx_http_send_all(s, fd, g.head.s, g.head.len);
    for (unsigned i = 0; ok && i < g.repeats; i++)
        ok = kdx_http_send_all(s, fd, g.zeros.s, g.zeros.len);
    if (ok)
        kdx_http_send_all(s, fd, g.tail.s, g.tail.len);
    free_gzip(&g);
}

/* The signature, then zeros: `per_step` bytes every `step_ms` (0: at once)
 * until `total` bytes or the client leaves. */
static void send_paced(kdx_http_server *s, int fd, const char *path, uint64_t total,
                       size_t per_step, int step_ms)
{
    const char *sig;
    size_t sig_len;
    signature_for(path, &sig, &sig_len);
    static const uint8_t zeros[65536];
    for (uint64_t sent = 0; sent < total;) {
        uint8_t buf[65536];
        size_t n = (size_t)KDX_MIN((uint64_t)per_step, total - sent);
        memcpy(buf, zeros, n);
        if (sent < sig_len)
            memcpy(buf, sig + sent, KDX_MIN(n, sig_len - (size_t)sent));
        if (!kdx_http_send_all(s, fd, buf, n) || (step_ms && !linger(s, fd, step_ms)))
            return;
        sent += n;
    }
}

static const char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
static const char big_head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n";

static void handle(kdx_http_server *s, int fd, const char *path, void *ud)
{
    kdx_hostile_server *h = ud;
    pthread_mutex_lock(&h->lock);
    kdx_sb_printf(&h->requests, "%s\n", path);
    h->nrequests++;
    pthread_mutex_unlock(&h->lock);
    char hdr[256];
    if (h->o.only && !kdx_ends_with_i(path, h->o.only)) {
        send_text(s, fd, not_found);
        return;
    }
    switch (h->o.mode) {
    case KDX_HOSTILE_GZIP_ZEROS:
        send_gzip(s, fd, path);
        break;
    case KDX_HOSTILE_CAB_BOMB:
        if (!kdx_ends_with_i(path, "_")) {
            send_text(s, fd, not_found);
            break;
        }
        snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", h->cab_len);
        if (send_text(s, fd, hdr))
            kdx_http_send_all(s, fd, h->cab, h->cab_len);
        break;
    case KDX_HOSTILE_DRIP:
        if (send_text(s, fd, big_head))
            send_paced(s, fd, path, 100000000, 1, 1000);
        break;
    case KDX_HOSTILE_SILENT:
        if (send_text(s, fd, big_head))
            linger(s, fd, 3600 * 1000);
        break;
    case KDX_HOSTILE_ENDLESS:
        if (send_text(s, fd, "HTTP/1.0 200 OK\r\n\r\n"))
            send_paced(s, fd, path, UINT64_MAX, 65536, 0);
        break;
    case KDX_HOSTILE_STEADY:
        if (send_text(s, fd, big_head))
            send_paced(s, fd, path, 100000000, 2048, 250);
        break;
    case KDX_HOSTILE_LYING_LENGTH:
        if (send_text(s, fd, "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n"))
            send_paced(s, fd, path, 1 << 20, 65536, 0);
        break;
    case KDX_HOSTILE_FILE_PTR:
        if (!kdx_ends_with_i(path, "/file.ptr")) {
            send_text(s, fd, not_found);
            break;
        }
        snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 strlen(h->o.text));
        if (send_text(s, fd, hdr))
            send_text(s, fd, h->o.text);
        break;
    case KDX_HOSTILE_REDIRECT:
        snprintf(hdr, sizeof hdr, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
                 h->o.text);
        send_text(s, fd, hdr);
        break;
    case KDX_HOSTILE_NOT_FOUND:
        send_text(s, fd, not_found);
        break;
    }
}

kdx_hostile_server *kdx_hostile_start(const kdx_hostile_opts *o)
{
    kdx_hostile_server *h = kdx_xcalloc(1, sizeof *h);
    h->o = *o;
    pthread_mutex_init(&h->lock, NULL);
    kdx_sb_init(&h->requests);
    kdx_sb_puts(&h->requests, "");
    if (o->mode == KDX_HOSTILE_CAB_BOMB)
        make_cab(o->cab_blocks, o->cab_declared, &h->cab, &h->cab_len);
    h->http = kdx_http_server_start_handler(handle, h);
    if (!h->http) {
        kdx_hostile_stop(h);
        return NULL;
    }
    snprintf(h->url, sizeof h->url, "http://127.0.0.1:%d", kdx_http_server_port(h->http));
    return h;
}

const char *kdx_hostile_url(const kdx_hostile_server *h)
{
    return h->url;
}

char *kdx_hostile_requests(kdx_hostile_server *h)
{
    pthread_mutex_lock(&h->lock);
    char *r = kdx_strdup(h->requests.s);
    pthread_mutex_unlock(&h->lock);
    return r;
}

int kdx_hostile_request_count(kdx_hostile_server *h)
{
    pthread_mutex_lock(&h->lock);
    int n = h->nrequests;
    pthread_mutex_unlock(&h->lock);
    return n;
}

void kdx_hostile_stop(kdx_hostile_server *h)
{
    if (!h)
        return;
    kdx_http_server_stop(h->http);
    kdx_sb_free(&h->requests);
    pthread_mutex_destroy(&h->lock);
    free(h->cab);
    free(h);
}

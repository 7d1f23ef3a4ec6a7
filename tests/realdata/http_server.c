#include "tests/realdata/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/util.h"

struct kdx_http_server {
    char *root;
    kdx_http_handler handler; /* NULL: serve files under root */
    void *ud;
    int fd;
    int port;
    atomic_int stop;
    atomic_int requests;
    atomic_int proxied;
    atomic_int connections;   /* handler threads still running */
    pthread_t thread;
};

bool kdx_http_send_all(const kdx_http_server *s, int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        if (kdx_http_server_stopping(s))
            return false;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue; /* the send timeout lets the stop flag be seen */
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void send_all(int fd, const void *buf, size_t len)
{
    kdx_http_send_all(NULL, fd, buf, len);
}

/* Reads the request head; the GET path into path, false when there is none. */
static bool read_request(int c, char *path, size_t path_len)
{
    char req[4096] = "";
    size_t got = 0;
    while (got < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
        ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
    }
    req[got] = '\0';
    char fmt[32];
    snprintf(fmt, sizeof fmt, "GET %%%zus", path_len - 1);
    return sscanf(req, fmt, path) == 1;
}

static void serve_one(struct kdx_http_server *s, int c)
{
    char path[2048];
    if (!read_request(c, path, sizeof path) || strstr(path, "..")) {
        const char *bad = "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        send_all(c, bad, strlen(bad));
        return;
    }
    /* As a proxy, the request names the whole URL: serve its path. */
    const char *rel = path;
    if (!strncmp(rel, "http://", 7)) {
        rel = strchr(rel + 7, '/');
        if (!rel)
            rel = "/";
        atomic_fetch_add(&s->proxied, 1);
    }
    char *file = kdx_asprintf("%s%s", s->root, rel);
    struct stat st;
    FILE *fp = stat(file, &st) == 0 && S_ISREG(st.st_mode) ? fopen(file, "rb") : NULL;
    free(file);
    atomic_fetch_add(&s->requests, 1);
    if (!fp) {
        const char *nf = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        send_all(c, nf, strlen(nf));
        return;
    }
    char hdr[128];
    int hn = snprintf(hdr, sizeof hdr, "HTTP/1.0 200 OK\r\nContent-Length: %lld\r\n\r\n",
                      (long long)st.st_size);
    send_all(c, hdr, (size_t)hn);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        send_all(c, buf, n);
    fclose(fp);
}

typedef struct connection {
    struct kdx_http_server *s;
    int fd;
} connection;

/* One connection of a handler server, on its own thread. */
static void *serve_connection(void *ud)
{
    connection *c = ud;
    char path[2048];
    if (read_request(c->fd, path, sizeof path)) {
        atomic_fetch_add(&c->s->requests, 1);
        c->s->handler(c->s, c->fd, path, c->s->ud);
    }
    close(c->fd);
    atomic_fetch_sub(&c->s->connections, 1);
    free(c);
    return NULL;
}

static void start_connection(struct kdx_http_server *s, int fd)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000}, rtv = {.tv_sec = 1, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rtv, sizeof rtv);
    connection *c = kdx_xcalloc(1, sizeof *c);
    c->s = s;
    c->fd = fd;
    atomic_fetch_add(&s->connections, 1);
    pthread_t t;
    if (pthread_create(&t, NULL, serve_connection, c) == 0) {
        pthread_detach(t);
        return;
    }
    atomic_fetch_sub(&s->connections, 1);
    close(fd);
    free(c);
}

static void *serve(void *ud)
{
    struct kdx_http_server *s = ud;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        if (s->handler) {
            start_connection(s, c);
            continue;
        }
        serve_one(s, c);
        close(c);
    }
    return NULL;
}

static kdx_http_server *start(const char *root, kdx_http_handler handler, void *ud)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return NULL;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return NULL;
    }
    struct kdx_http_server *s = kdx_xcalloc(1, sizeof *s);
    s->root = kdx_strdup(root);
    s->handler = handler;
    s->ud = ud;
    s->fd = fd;
    s->port = ntohs(a.sin_port);
    if (pthread_create(&s->thread, NULL, serve, s) != 0) {
        close(fd);
        free(s->root);
        free(s);
        return NULL;
    }
    return s;
}

kdx_http_server *kdx_http_server_start(const char *root)
{
    return start(root, NULL, NULL);
}

kdx_http_server *kdx_http_server_start_handler(kdx_http_handler handler, void *ud)
{
    return start("", handler, ud);
}

bool kdx_http_server_stopping(const kdx_http_server *s)
{
    return s && atomic_load(&((kdx_http_server *)s)->stop);
}

int kdx_http_server_port(const kdx_http_server *s)
{
    return s->port;
}

int kdx_http_server_requests(const kdx_http_server *s)
{
    return atomic_load(&((kdx_http_server *)s)->requests);
}

int kdx_http_server_proxied(const kdx_http_server *s)
{
    return atomic_load(&((kdx_http_server *)s)->proxied);
}

void kdx_http_server_stop(kdx_http_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->fd);
    /* Handlers see the stop flag within their send timeout. */
    for (int i = 0; i < 500 && atomic_load(&s->connections) > 0; i++)
        usleep(10000);
    if (atomic_load(&s->connections) > 0)
        return; /* a handler is stuck: leak s rather than free it under it */
    free(s->root);
    free(s);
}

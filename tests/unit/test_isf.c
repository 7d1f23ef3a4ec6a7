/* Unit tests for the ISF provider on small JSON tables, good and bad. */
#include <stdlib.h>

#include "base/util.h"
#include "isf/isf.h"
#include "tests/test.h"

static const char small_isf[] =
    "{\"metadata\": {\"format\": \"6.1.0\", \"windows\": {\"pdb\": {\"GUID\": "
    "\"00112233445566778899AABBCCDDEEFF\", \"age\": 2, \"database\": \"x.pdb\", \"machine_type\": 332}}},"
    "\"base_types\": {\"unsigned long\": {\"kind\": \"int\", \"size\": 4, \"signed\": false, \"endian\": \"little\"},"
    "  \"pointer\": {\"kind\": \"int\", \"size\": 4, \"signed\": false, \"endian\": \"little\"},"
    "  \"char\": {\"kind\": \"char\", \"size\": 1, \"signed\": true, \"endian\": \"little\"},"
    "  \"void\": {\"kind\": \"void\", \"size\": 0, \"signed\": true, \"endian\": \"little\"}},"
    "\"user_types\": {"
    "  \"_NODE\": {\"kind\": \"struct\", \"size\": 16, \"fields\": {"
    "    \"Next\": {\"offset\": 0, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"_NODE\"}}},"
    "    \"Flags\": {\"offset\": 4, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}},"
    "    \"Low\": {\"offset\": 4, \"type\": {\"kind\": \"bitfield\", \"bit_position\": 0, \"bit_length\": 3, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}},"
    "    \"Color\": {\"offset\": 8, \"type\": {\"kind\": \"enum\", \"name\": \"_COLOR\"}},"
    "    \"Name\": {\"offset\": 12, \"type\": {\"kind\": \"array\", \"count\": 4, \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}},"
    "    \"Fwd\": {\"offset\": 12, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"_UNDEFINED\"}}}}}},"
    "\"enums\": {\"_COLOR\": {\"size\": 4, \"base\": \"unsigned long\", \"constants\": {\"Red\": 2, \"Blue\": 1}}},"
    "\"symbols\": {\"Start\": {\"address\": 4096}, \"Second\": {\"address\": 8192, \"linkage_name\": \"_Second@4\"},"
    "  \"Alias\": {\"address\": 4096},"
    "  \"Root\": {\"address\": 12288, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"_NODE\"}}},"
    "  \"Entry\": {\"address\": 16384, \"type\": {\"kind\": \"function\"}}}}";

static kdx_status open_text(const char *text, kdx_symprov *p, kdx_symfile_id *id, kdx_err *err)
{
    return kdx_isf_provider_open_buffer("test.json", (const uint8_t *)text, strlen(text), p, id, err);
}

/* small_isf with the first `from` replaced by `to` (malloc'd). */
static char *edited(const char *from, const char *to)
{
    const char *at = strstr(small_isf, from);
    size_t head = (size_t)(at - small_isf), n = strlen(small_isf) - strlen(from) + strlen(to);
    char *out = kdx_xmalloc(n + 1);
    memcpy(out, small_isf, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

TEST(isf_small_table)
{
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(open_text(small_isf, &p, &id, &err));
    REQUIRE(p.ops);
    CHECK(id.has_guid);
    CHECK_EQ(id.guid[0], 0x33);  /* Data1 stored little-endian */
    CHECK_EQ(id.guid[4], 0x55);
    CHECK_EQ(id.guid[8], 0x88);
    CHECK_EQ(id.age, 2);
    CHECK_EQ(id.arch, KDX_ARCH_X86);
    kdx_symbol s;
    CHECK_OK(p.ops->by_rva(p.impl, 0x1fff, &s));
    CHECK_STR(s.name, "Alias"); /* two names at one RVA: the first by name */
    CHECK_EQ(s.rva, 0x1000);
    CHECK_EQ(p.ops->by_rva(p.impl, 0xfff, &s), KDX_E_NOT_FOUND);
    CHECK_OK(p.ops->by_name(p.impl, "Second", &s));
    CHECK_EQ(s.rva, 0x2000);
    CHECK_EQ(s.kind, KDX_SYM_PUBLIC);
    CHECK(s.type == NULL);
    CHECK_OK(p.ops->by_name(p.impl, "Root", &s));   /* typed data symbol */
    CHECK_EQ(s.kind, KDX_SYM_DATA);
    REQUIRE(s.type && s.type->kind == KDX_TYPE_POINTER);
    CHECK_STR(s.type->target->name, "_NODE");
    CHECK_OK(p.ops->by_rva(p.impl, 0x4000, &s));
    CHECK_STR(s.name, "Entry");
    CHECK_EQ(s.kind, KDX_SYM_FUNCTION);
    const kdx_type *node = p.ops->find_type(p.impl, "_NODE");
    REQUIRE(node);
    uint32_t n;
    const kdx_field *f = kdx_type_fields(node, &n);
    REQUIRE(n == 6);
    CHECK_STR(f[0].name, "Next");
    CHECK_EQ(f[0].type->size, 4);         /* the table's pointer size */
    CHECK(f[0].type->target == node);
    CHECK_STR(f[1].name, "Flags");        /* whole member before the bit field at +4 */
    CHECK_STR(f[2].name, "Low");
    CHECK_EQ(f[2].type->bit_len, 3);
    CHECK_STR(f[3].name, "Color");
    CHECK_EQ(f[3].type->kind, KDX_TYPE_ENUM);
    uint32_t ne;
    const kdx_enumerator *e = kdx_type_enumerators(f[3].type, &ne);
    REQUIRE(ne == 2);
    CHECK_STR(e[0].name, "Blue");
    CHECK_STR(f[4].name, "Name");         /* JSON order kept for equal offsets */
    CHECK_EQ(f[4].type->size, 4);
    CHECK(f[5].type->target->is_forward);
    CHECK(p.ops->find_type(p.impl, "_node") == node);
    CHECK(p.ops->find_type(p.impl, "_NOPE") == NULL);
    p.ops->destroy(p.impl);
}

TEST(isf_bad_input_named)
{
    kdx_symprov p;
    kdx_err err = {0};
    CHECK_EQ(open_text("{\"metadata\": {}", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "test.json: JSON error at line 1");
    CHECK_EQ(open_text("[1, 2]", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "not a JSON object");
    CHECK_EQ(open_text("{\"metadata\": {}}", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "no \"base_types\" object");
    char *bad = edited("\"bit_length\": 3", "\"bit_length\": 0");
    CHECK_EQ(open_text(bad, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "user_types._NODE.fields.Low: bitfield");
    free(bad);
    bad = edited("\"name\": \"char\"", "\"name\": \"ch@r\"");
    CHECK_EQ(open_text(bad, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "unknown base type \"ch@r\"");
    free(bad);
    CHECK(p.ops == NULL);
}

TEST(isf_corrupt_xz_named)
{
    static const uint8_t xz[] = {0xfd, '7', 'z', 'X', 'Z', 0, 0, 4, 0xe6, 0xd6, 0xb4, 0x46, 1, 2, 3};
    kdx_symprov p;
    kdx_err err = {0};
    kdx_status st = kdx_isf_provider_open_buffer("t.json.xz", xz, sizeof xz, &p, NULL, &err);
    CHECK(st == KDX_E_FORMAT || st == KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "t.json.xz: xz");
}

TEST(isf_utf8_bom_accepted)
{
    kdx_symprov p;
    kdx_err err = {0};
    char *text = kdx_asprintf("\xef\xbb\xbf%s", small_isf);
    CHECK_OK(open_text(text, &p, NULL, &err));
    if (p.ops)
        p.ops->destroy(p.impl);
    free(text);
}

TEST(isf_guid_parse)
{
    uint8_t g[16];
    CHECK(kdx_isf_parse_guid("{00112233-4455-6677-8899-AABBCCDDEEFF}", g));
    CHECK_EQ(g[3], 0x00);
    CHECK_EQ(g[15], 0xff);
    CHECK(!kdx_isf_parse_guid("0011", g));
    CHECK(!kdx_isf_parse_guid("00112233445566778899AABBCCDDEEFG", g));
    CHECK(!kdx_isf_parse_guid("00112233445566778899AABBCCDDEEFF00", g));
}

TEST(isf_implausible_sizes_rejected)
{
    kdx_symprov p;
    kdx_err err = {0};
    /* 4 G one-byte elements: more than any record can hold */
    char *bad = edited("\"count\": 4", "\"count\": 4294967295");
    CHECK_EQ(open_text(bad, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "implausibly large");
    free(bad);
    bad = edited("\"size\": 16", "\"size\": 1099511627776");
    CHECK_EQ(open_text(bad, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "user_types._NODE: size is implausibly large");
    free(bad);
    bad = edited("\"size\": 4, \"base\"", "\"size\": 40, \"base\"");
    CHECK_EQ(open_text(bad, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "enums._COLOR");
    free(bad);
    CHECK(p.ops == NULL);
}

/* ---- JSON bombs (issue 17, finding 5): bounded memory, a clear limit error ---- */

#include <lzma.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* xz of `unit` repeated `times` times, appended to *out: one small stream,
 * concatenated as often as needed, so a huge text costs little to make. */
typedef KDX_VEC(uint8_t) bytevec;

static void xz_repeat(bytevec *out, const char *unit, size_t unit_reps, size_t times)
{
    size_t ulen = strlen(unit), n = ulen * unit_reps;
    char *text = kdx_xmalloc(n ? n : 1);
    for (size_t i = 0; i < unit_reps; i++)
        memcpy(text + i * ulen, unit, ulen);
    size_t cap = lzma_stream_buffer_bound(n), pos = 0;
    uint8_t *xz = kdx_xmalloc(cap);
    if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, (const uint8_t *)text, n, xz, &pos, cap) !=
        LZMA_OK)
        pos = 0;
    for (size_t t = 0; t < times; t++)
        for (size_t i = 0; i < pos; i++)
            KDX_VEC_PUSH(*out, xz[i]);
    free(xz);
    free(text);
}

typedef struct bomb_result {
    kdx_status st;
    char msg[KDX_ERR_MSG_MAX];
    long peak_kb;   /* the child's peak resident memory */
    bool finished;  /* ended by itself (a 60 s alarm guards against hangs) */
} bomb_result;

/* Opens the bomb in a child process, so its peak memory is its own. */
static bomb_result open_bomb(const uint8_t *data, size_t len)
{
    bomb_result r = {0};
    int fds[2];
    if (pipe(fds) != 0)
        return r;
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        kdx_symprov p;
        kdx_err err = {0};
        kdx_status st = kdx_isf_provider_open_buffer("bomb.json.xz", data, len, &p, NULL, &err);
        if (write(fds[1], &st, sizeof st) < 0 || write(fds[1], err.msg, sizeof err.msg) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    int status = 0;
    struct rusage ru;
    bool got = read(fds[0], &r.st, sizeof r.st) == sizeof r.st &&
               read(fds[0], r.msg, sizeof r.msg) == sizeof r.msg;
    close(fds[0]);
    if (wait4(pid, &status, 0, &ru) == pid) {
        r.peak_kb = ru.ru_maxrss;
        r.finished = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return r;
}

/* The bomb ends by itself with a limit error naming what and where, its peak
 * memory well under 512 MB; frees xz. */
static void check_bomb(kdx_test_ctx *t, bytevec *xz, const char *what, const char *where)
{
    bomb_result r = open_bomb(xz->items, xz->len);
    CHECK(r.finished);
    CHECK_EQ(r.st, KDX_E_LIMIT);
    CHECK_CONTAINS(r.msg, what);
    CHECK_CONTAINS(r.msg, where);
    CHECK(r.peak_kb > 0 && r.peak_kb < 512 * 1024);
    KDX_VEC_FREE(*xz);
}

static const char empty_sections[] =
    "], \"metadata\": {}, \"base_types\": {}, \"user_types\": {}, \"enums\": {}, \"symbols\": {}}";

TEST(isf_bomb_of_empty_objects_stops_at_the_value_limit)
{
    bytevec xz = {0};
    xz_repeat(&xz, "{\"junk\": [", 1, 1);
    xz_repeat(&xz, "{},", 1000000, 70); /* 70 million empty objects */
    xz_repeat(&xz, "{}", 1, 1);
    xz_repeat(&xz, empty_sections, 1, 1);
    CHECK(xz.len < 64 * 1024);
    check_bomb(t, &xz, "bomb.json.xz: more than 4194304 JSON values", "at offset");
}

TEST(isf_bomb_of_blanks_stops_at_the_blank_limit)
{
    bytevec xz = {0};
    xz_repeat(&xz, "{\"metadata\":", 1, 1);
    xz_repeat(&xz, " ", 1u << 20, 1500); /* 1.5 GB of spaces */
    xz_repeat(&xz, "{}}", 1, 1);
    check_bomb(t, &xz, "more than 65536 consecutive blank bytes", "line 1, column");
}

TEST(isf_limits_on_depth_strings_and_text)
{
    kdx_symprov p;
    kdx_err err = {0};
    kdx_strbuf deep;
    kdx_sb_init(&deep);
    kdx_sb_puts(&deep, "{\"metadata\": ");
    for (int i = 0; i < 100; i++)
        kdx_sb_puts(&deep, "{\"a\": ");
    CHECK_EQ(open_text(deep.s, &p, NULL, &err), KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "more than 64 levels of nested objects and arrays");
    kdx_sb_free(&deep);
    char *huge = kdx_xmalloc(80000);
    memset(huge, 'x', 80000);
    memcpy(huge, "{\"", 2);
    huge[79999] = 0;
    CHECK_EQ(open_text(huge, &p, NULL, &err), KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "more than 65536 bytes in one string");
    free(huge);
    /* Unknown members are skipped whole, nested arrays and all. */
    char *extra = edited("\"metadata\": {", "\"x\": [1, [2.5e3, {\"k\": null}], true, \"\\u00e9\\ud83d\\ude00\"], \"metadata\": {");
    CHECK_OK(open_text(extra, &p, NULL, &err));
    if (p.ops)
        p.ops->destroy(p.impl);
    free(extra);
    CHECK_EQ(open_text("{\"x\": [1,]}", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "JSON error at line 1, column 10 (offset 9)");
    CHECK_EQ(open_text("{} {}", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "text after the end of the top-level JSON object");
}

TEST(isf_sections_in_any_order)
{
    /* Types referenced before their definitions; symbols first. */
    static const char text[] =
        "{\"symbols\": {\"Root\": {\"address\": 16, \"type\": {\"kind\": \"pointer\", \"subtype\": "
        "{\"kind\": \"struct\", \"name\": \"_A\"}}}},"
        "\"user_types\": {\"_A\": {\"fields\": {\"Arr\": {\"offset\": 0, \"type\": {\"kind\": \"array\", "
        "\"count\": 3, \"subtype\": {\"kind\": \"struct\", \"name\": \"_B\"}}},"
        "\"E\": {\"offset\": 24, \"type\": {\"kind\": \"enum\", \"name\": \"_E\"}}}, \"kind\": \"struct\", \"size\": 28},"
        "\"_B\": {\"kind\": \"union\", \"size\": 8, \"fields\": {\"P\": {\"offset\": 0, \"type\": "
        "{\"kind\": \"pointer\", \"subtype\": {\"kind\": \"base\", \"name\": \"void\"}}}}}},"
        "\"enums\": {\"_E\": {\"base\": \"int\", \"constants\": {\"One\": 1}, \"size\": 4}},"
        "\"base_types\": {\"pointer\": {\"kind\": \"int\", \"size\": 8, \"signed\": false},"
        "  \"int\": {\"kind\": \"int\", \"size\": 4, \"signed\": true}, \"void\": {\"kind\": \"void\", \"size\": 0}},"
        "\"metadata\": {}}";
    kdx_symprov p;
    kdx_err err = {0};
    CHECK_OK(open_text(text, &p, NULL, &err));
    REQUIRE(p.ops);
    const kdx_type *a = p.ops->find_type(p.impl, "_A");
    REQUIRE(a);
    uint32_t n;
    const kdx_field *f = kdx_type_fields(a, &n);
    REQUIRE(n == 2);
    CHECK_EQ(f[0].type->size, 24);                 /* 3 x the union defined after it */
    CHECK_EQ(f[0].type->target->kind, KDX_TYPE_UNION);
    CHECK_EQ(f[1].type->target->size, 4);          /* enum base resolved at the end */
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "Root", &s));
    REQUIRE(s.type);
    CHECK_EQ(s.type->size, 8);                     /* pointer size known only later */
    p.ops->destroy(p.impl);
}

/* fuzz_isf finding: a record without fields and an enum without constants
 * passed NULL arrays to qsort (UBSan). */
TEST(isf_empty_fields_and_constants)
{
    char *text = edited("\"enums\": {", "\"enums\": {\"_EMPTY\": {\"size\": 4, \"constants\": {}},");
    char *both = kdx_asprintf("%.*s\"_BARE\": {\"kind\": \"struct\", \"size\": 8, \"fields\": {}}, %s",
                              (int)(strstr(text, "\"_NODE\"") - text), text, strstr(text, "\"_NODE\""));
    kdx_symprov p;
    kdx_err err = {0};
    CHECK_OK(open_text(both, &p, NULL, &err));
    if (p.ops) {
        uint32_t n = 1;
        const kdx_type *bare = p.ops->find_type(p.impl, "_BARE");
        REQUIRE(bare);
        kdx_type_fields(bare, &n);
        CHECK_EQ(n, 0);
        p.ops->destroy(p.impl);
    }
    free(both);
    free(text);
}

/* ---- decoding once for the kernel-ISF check and the parse (xzstream keep/stash) ---- */

#include "base/file.h"
#include "isf/xzstream.h"

/* Everything x hands out from here on, appended to out. */
static void drain(kdx_xzstream *x, bytevec *out)
{
    const uint8_t *p;
    size_t n;
    while (kdx_xzstream_next(x, &p, &n))
        for (size_t i = 0; i < n; i++)
            KDX_VEC_PUSH(*out, p[i]);
}

/* Three 256 KB windows' worth of text, numbered so that a window handed out
 * twice or skipped shows. */
static void numbered_xz(bytevec *xz, bytevec *text)
{
    char *plain = kdx_xmalloc(800000);
    size_t n = 0;
    for (unsigned i = 0; n + 16 < 800000; i++)
        n += (size_t)snprintf(plain + n, 800000 - n, "%u,", i);
    size_t cap = lzma_stream_buffer_bound(n), pos = 0;
    uint8_t *buf = kdx_xmalloc(cap);
    if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, (const uint8_t *)plain, n, buf, &pos, cap) != LZMA_OK)
        pos = 0;
    for (size_t i = 0; i < pos; i++)
        KDX_VEC_PUSH(*xz, buf[i]);
    for (size_t i = 0; i < n; i++)
        KDX_VEC_PUSH(*text, (uint8_t)plain[i]);
    free(buf);
    free(plain);
}

TEST(xzstream_rewind_hands_out_the_kept_text_then_goes_on)
{
    bytevec xz = {0}, text = {0};
    numbered_xz(&xz, &text);
    for (int threaded = 0; threaded < 2; threaded++) {
        kdx_xzstream *x = kdx_xzstream_new(xz.items, xz.len, 1ull << 30, threaded);
        kdx_xzstream_keep(x);
        const uint8_t *p;
        size_t n, first = 0;
        for (int w = 0; w < 2 && kdx_xzstream_next(x, &p, &n); w++)
            first += n;
        CHECK(first > 0 && first < text.len);
        kdx_xzstream_rewind(x);
        bytevec again = {0};
        drain(x, &again);
        const char *msg;
        CHECK_EQ(kdx_xzstream_status(x, &msg), KDX_OK);
        CHECK_EQ(again.len, text.len);
        CHECK(again.len == text.len && memcmp(again.items, text.items, text.len) == 0);
        KDX_VEC_FREE(again);
        kdx_xzstream_free(x);
    }
    KDX_VEC_FREE(xz);
    KDX_VEC_FREE(text);
}

TEST(xzstream_stash_serves_only_the_same_input_and_limit)
{
    bytevec xz = {0}, text = {0};
    numbered_xz(&xz, &text);
    kdx_file *f;
    CHECK_EQ(kdx_file_from_memory(&f, "n.json.xz", xz.items, xz.len, NULL), KDX_OK);
    kdx_xzstream *x = kdx_xzstream_new(f->data, f->size, 1ull << 30, true);
    kdx_xzstream_keep(x);
    const uint8_t *p;
    size_t n;
    CHECK(kdx_xzstream_next(x, &p, &n));
    kdx_xzstream_stash(x, f);
    CHECK(kdx_xzstream_unstash(xz.items, xz.len, 1ull << 29) == NULL);     /* another limit */
    CHECK(kdx_xzstream_unstash(xz.items, xz.len - 1, 1ull << 30) == NULL); /* other bytes */
    xz.items[xz.len / 2] ^= 1;
    CHECK(kdx_xzstream_unstash(xz.items, xz.len, 1ull << 30) == NULL);
    xz.items[xz.len / 2] ^= 1;
    kdx_xzstream *y = kdx_xzstream_unstash(xz.items, xz.len, 1ull << 30);
    CHECK(y != NULL);
    CHECK(kdx_xzstream_unstash(xz.items, xz.len, 1ull << 30) == NULL);     /* handed over once */
    bytevec all = {0};
    if (y)
        drain(y, &all);
    CHECK(all.len == text.len && memcmp(all.items, text.items, text.len) == 0);
    kdx_xzstream_free(y); /* closes f */
    KDX_VEC_FREE(all);
    /* A stream set aside and cleared is freed with its file. */
    CHECK_EQ(kdx_file_from_memory(&f, "n.json.xz", xz.items, xz.len, NULL), KDX_OK);
    x = kdx_xzstream_new(f->data, f->size, 1ull << 30, true);
    kdx_xzstream_stash(x, f);
    kdx_xzstream_stash_clear();
    CHECK(kdx_xzstream_unstash(xz.items, xz.len, 1ull << 30) == NULL);
    KDX_VEC_FREE(xz);
    KDX_VEC_FREE(text);
}

/* A check that reads more than the stream may keep (32 MB) leaves nothing
 * set aside: a parse then decodes the file itself. */
TEST(xzstream_stash_refused_past_the_keep_limit)
{
    bytevec xz = {0};
    xz_repeat(&xz, "0123456789abcdef", 1u << 16, 40); /* 40 MB of text */
    kdx_file *f;
    CHECK_EQ(kdx_file_from_memory(&f, "big.json.xz", xz.items, xz.len, NULL), KDX_OK);
    kdx_xzstream *x = kdx_xzstream_new(f->data, f->size, 1ull << 30, true);
    kdx_xzstream_keep(x);
    const uint8_t *p;
    size_t n, total = 0;
    while (kdx_xzstream_next(x, &p, &n))
        total += n;
    CHECK_EQ(total, (size_t)40 << 20);
    kdx_xzstream_stash(x, f); /* frees x and f */
    CHECK(kdx_xzstream_unstash(xz.items, xz.len, 1ull << 30) == NULL);
    KDX_VEC_FREE(xz);
}

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

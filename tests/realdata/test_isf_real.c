/* The ISF provider on the real kernel table of the triage dump's kernel
 * (ntkrnlmp.pdb 5278AFF8...-1). Offsets checked here were read by hand
 * from the decompressed JSON. */
#include <stdlib.h>

#include "isf/isf.h"
#include "target/module.h"
#include "tests/test.h"

#define NT_ISF "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"

static const kdx_field *field(const kdx_type *t, const char *name)
{
    uint32_t n;
    const kdx_field *f = kdx_type_fields(t, &n);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].name && strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

static int count_cb(void *ud, const kdx_symbol *s)
{
    (void)s;
    (*(unsigned *)ud)++;
    return 0;
}

TEST(isf_real_kernel_symbols_types_identity)
{
    TESTDATA(path, NT_ISF);
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(kdx_isf_provider_open(path, &p, &id, &err));
    REQUIRE(p.ops);
    CHECK_STR(p.ops->kind, "isf");
    kdx_isf_counts c;
    CHECK(kdx_isf_get_counts(&p, &c));
    CHECK_EQ(c.symbols, 39832);
    CHECK_EQ(c.user_types, 1646);
    CHECK_EQ(c.enums, 293);
    char g[33];
    REQUIRE(id.has_guid);
    kdx_guid_format(id.guid, g);
    CHECK_STR(g, "5278AFF86C341677D7D7835C85B7B844");
    CHECK_EQ(id.age, 1);
    CHECK_EQ(id.arch, KDX_ARCH_X64);
    CHECK(id.has_types);

    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "KeBugCheckEx", &s));
    CHECK_EQ(s.rva, 0x3f5a80);
    CHECK_OK(p.ops->by_name(p.impl, "kebugcheckex", &s)); /* case-insensitive fallback */
    CHECK_EQ(s.rva, 0x3f5a80);
    /* triage dump: rip fffff8047bdf5a80, kernel base fffff8047ba00000 */
    CHECK_OK(p.ops->by_rva(p.impl, 0xfffff8047bdf5a80ull - 0xfffff8047ba00000ull + 0x1c, &s));
    CHECK_STR(s.name, "KeBugCheckEx");
    CHECK_EQ(p.ops->by_name(p.impl, "NoSuchSymbolAnywhere", &s), KDX_E_NOT_FOUND);
    unsigned n = 0;
    CHECK_OK(p.ops->enumerate(p.impl, "KeBugCheck*", count_cb, &n));
    CHECK(n >= 3);

    const kdx_type *pte = p.ops->find_type(p.impl, "_MMPTE_HARDWARE");
    REQUIRE(pte);
    CHECK_EQ(pte->kind, KDX_TYPE_STRUCT);
    CHECK_EQ(pte->size, 8);
    uint32_t nf;
    const kdx_field *f = kdx_type_fields(pte, &nf);
    CHECK_EQ(nf, 18);
    REQUIRE(nf == 18);
    CHECK_STR(f[0].name, "Valid");
    CHECK_STR(f[17].name, "NoExecute");
    const kdx_field *pfn = field(pte, "PageFrameNumber");
    REQUIRE(pfn);
    CHECK_EQ(pfn->type->kind, KDX_TYPE_BITFIELD);
    CHECK_EQ(pfn->type->bit_pos, 12);
    CHECK_EQ(pfn->type->bit_len, 36);
    CHECK_EQ(pfn->type->target->base, KDX_BASE_UINT8);
    /* bit-field extraction on a real PTE value: 0x8a00000012345867 */
    uint8_t raw[8] = {0x67, 0x58, 0x34, 0x12, 0x00, 0x00, 0x00, 0x8a};
    CHECK_EQ(kdx_type_extract(pfn->type, raw), 0x12345);
    CHECK_EQ(kdx_type_extract(field(pte, "NoExecute")->type, raw), 1);
    CHECK_EQ(kdx_type_extract(field(pte, "WsleProtection")->type, raw), 0);

    const kdx_type *kt = p.ops->find_type(p.impl, "_KTHREAD");
    REQUIRE(kt);
    CHECK_EQ(kt->size, 0x430);
    const kdx_field *apc = field(kt, "ApcState");
    REQUIRE(apc);
    CHECK_EQ(apc->offset, 0x98);
    CHECK_STR(apc->type->name, "_KAPC_STATE");
    uint64_t off;
    const kdx_type *ft;
    CHECK_OK(kdx_type_field_path(kt, "ApcState.Process", &off, &ft, &err));
    CHECK_EQ(off, 0x98 + 0x20);
    CHECK_EQ(ft->kind, KDX_TYPE_POINTER);
    CHECK_EQ(ft->size, 8);
    CHECK_STR(ft->target->name, "_KPROCESS");

    const kdx_type *ep = p.ops->find_type(p.impl, "_EPROCESS");
    REQUIRE(ep);
    const kdx_field *pid = field(ep, "UniqueProcessId");
    REQUIRE(pid);
    CHECK_EQ(pid->offset, 0x440);
    const kdx_field *img = field(ep, "ImageFileName");
    REQUIRE(img);
    CHECK_EQ(img->offset, 0x5a8);
    CHECK_EQ(img->type->kind, KDX_TYPE_ARRAY);
    CHECK_EQ(img->type->count, 15);
    CHECK_EQ(img->type->size, 15);
    CHECK_EQ(img->type->target->base, KDX_BASE_UCHAR);

    /* _MMPTE.u is an anonymous union holding Hard */
    const kdx_type *mmpte = p.ops->find_type(p.impl, "_MMPTE");
    REQUIRE(mmpte);
    CHECK_OK(kdx_type_field_path(mmpte, "u.Hard", &off, &ft, &err));
    CHECK_EQ(off, 0);
    CHECK(ft == pte);
    CHECK_STR(field(mmpte, "u")->type->name, "<unnamed-tag>");

    const kdx_type *pool = p.ops->find_type(p.impl, "_POOL_TYPE");
    REQUIRE(pool);
    CHECK_EQ(pool->kind, KDX_TYPE_ENUM);
    uint32_t ne;
    const kdx_enumerator *e = kdx_type_enumerators(pool, &ne);
    REQUIRE(ne > 3);
    CHECK_EQ(e[0].value, 0);  /* sorted by value */
    CHECK_EQ(e[ne - 1].value, 544);
    p.ops->destroy(p.impl);
}

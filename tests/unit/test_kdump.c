/* Kernel dump reader against the project's dump writer: triage, complete and
 * bitmap containers, 64-bit and 32-bit PAE, the KDBG encoding, and broken
 * files (truncated and mutated) that must give clear errors. */
#include <stdlib.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdbg.h"
#include "dump/kdump.h"
#include "dump/kdump_writer.h"
#include "mm/translate.h"
#include "target/memory.h"
#include "tests/test.h"

#define RSP 0xfffff88005078b08ull

/* Builds the sample (or w's dump) in memory and opens it as "NAME". */
static kdx_status open_buf(const uint8_t *b, size_t n, const char *name, kdx_target **t, kdx_err *err)
{
    kdx_file *f;
    kdx_status st = kdx_file_from_memory(&f, name, b, n, err);
    return st == KDX_OK ? kdx_kdump_open_file(f, t, err) : st;
}

static kdx_target *open_sample(kdx_test_ctx *t, kdx_kdw_kind kind, uint8_t **buf, size_t *len)
{
    const char *dir = kdx_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/sample_%d.dmp", dir, (int)kind);
    kdx_err err;
    if (kdx_kdw_sample_apc_exit(kind, path, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "writer: %s", err.msg);
        return NULL;
    }
    if (kdx_read_all(path, buf, len, &err) != KDX_OK)
        return NULL;
    kdx_target *tg = NULL;
    if (kdx_target_open(path, &tg, &err) != KDX_OK)
        kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);
    return tg;
}

/* Walks x64 page tables through physical reads only (checks the writer's tables). */
static bool walk_x64(kdx_target *tg, uint64_t va, uint64_t *pa)
{
    uint64_t table = tg->kernel_dtb;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e;
        if (kdx_read_phys(tg, table + ((va >> shift) & 511) * 8, &e, 8, NULL, NULL) != KDX_OK || !(e & 1))
            return false;
        table = e & 0x000ffffffffff000ull;
    }
    *pa = table | (va & 0xfff);
    return true;
}

static bool translation_available(kdx_target *tg)
{
    kdx_xlat x;
    return kdx_mm_translate(tg, tg->dtb, tg->kernel.ps_loaded_module_list, &x, NULL) != KDX_E_UNSUPPORTED;
}

static void check_sample_facts(kdx_test_ctx *t, kdx_target *tg)
{
    CHECK_EQ(tg->arch, KDX_ARCH_X64);
    CHECK_EQ(tg->sys.build, 7601);
    CHECK_EQ(tg->sys.num_processors, 2);
    CHECK_EQ(tg->kernel.bugcheck_code, 0x20);
    CHECK_EQ(tg->kernel.bugcheck_args[1], 0xffff);
    CHECK_EQ(tg->kernel.bugcheck_args[3], 1);
    CHECK(tg->kernel.kdbg_valid);
    CHECK_EQ(tg->kernel.kernel_base, 0xfffff80001613000ull);
    CHECK_EQ(tg->nmodules, 6);
    kdx_module *srv2 = kdx_target_module_named(tg, "srv2");
    REQUIRE(srv2 != NULL);
    CHECK_EQ(srv2->base, 0xfffff88003c3a000ull);
    CHECK_EQ(srv2->timestamp, 0x4dd5e9a1);
    CHECK(kdx_target_module_at(tg, 0xfffff88003c4b5b6ull) == srv2);
    CHECK_STR(tg->modules[0]->name, "nt");
    CHECK_STR(tg->sys.build_lab, "7601.17592.amd64fre.win7sp1_gdr.110408-1631");
    kdx_context c;
    kdx_err err;
    REQUIRE(tg->ops->get_context(tg->impl, 0, &c, &err) == KDX_OK);
    CHECK_EQ(kdx_ctx_sp(&c), RSP);
    CHECK_EQ(c.r[KDX_X64_RCX], 0x20);
    REQUIRE(tg->ops->get_context(tg->impl, 1, &c, &err) == KDX_OK);
    CHECK_EQ(kdx_ctx_ip(&c), 0xfffff800016c6f7aull);
    uint64_t ret;
    CHECK_OK(kdx_read_u64(tg, RSP, &ret, NULL));
    CHECK_EQ(ret, 0xfffff80001984bd9ull);
    kdx_thread_info ti;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 0, &ti, NULL));
    CHECK_EQ(ti.thread, 0xfffffa8049f04b50ull);
    CHECK_EQ(ti.process, 0xfffffa8048cad9e0ull);
}

TEST(kdump_writer_triage_sample)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    kdx_target *tg = open_sample(t, KDX_KDW_TRIAGE, &buf, &len);
    REQUIRE(tg != NULL);
    const kdx_kdump *d = kdx_kdump_of(tg);
    CHECK(d->is_triage);
    CHECK_EQ(tg->paging, KDX_PAGING_NONE);
    CHECK_STR(tg->ops->format_name, "Kernel triage dump");
    check_sample_facts(t, tg);
    uint8_t b[8];
    CHECK(kdx_read_virt(tg, 0x1000, b, 8, NULL, NULL) == KDX_E_MEM_MISSING);
    kdx_target_close(tg);
    free(buf);
}

/* Complete and bitmap dumps: page tables checked by hand, then the facts. */
static void check_physical_sample(kdx_test_ctx *t, kdx_kdw_kind kind)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    kdx_target *tg = open_sample(t, kind, &buf, &len);
    REQUIRE(tg != NULL);
    const kdx_kdump *d = kdx_kdump_of(tg);
    CHECK(!d->truncated);
    CHECK_EQ(tg->paging, KDX_PAGING_X64_4);
    if (kind == KDX_KDW_COMPLETE) {
        CHECK_EQ(d->hdr.dump_type, KDX_DUMP_TYPE_FULL);
        CHECK(d->nruns >= 1);
    } else {
        CHECK(d->has_bitmap);
        CHECK_EQ(d->hdr.dump_type, kind == KDX_KDW_SUMMARY ? KDX_DUMP_TYPE_SUMMARY : KDX_DUMP_TYPE_BITMAP_FULL);
        CHECK_EQ(d->bmp.summary, kind == KDX_KDW_SUMMARY);
        CHECK(d->bmp.total_present_pages > 10);
    }
    /* The writer's page tables map the stack: walk them through physical reads. */
    uint64_t pa = 0, v = 0;
    REQUIRE(walk_x64(tg, RSP, &pa));
    CHECK_OK(kdx_read_phys(tg, pa, &v, 8, NULL, NULL));
    CHECK_EQ(v, 0xfffff80001984bd9ull);
    CHECK(tg->ops->phys_page(tg->impl, pa >> 12) != NULL);
    /* Pages below the writer's first pfn are not saved: an error, not zeros. */
    size_t done = 7;
    CHECK(kdx_read_phys(tg, 0x3000, &v, 8, &done, NULL) != KDX_OK);
    CHECK_EQ(done, 0);
    CHECK(tg->ops->phys_page(tg->impl, 0x5) == NULL);
    if (translation_available(tg))
        check_sample_facts(t, tg);
    else
        kdx_test_skip(t, "address translation (src/mm) is not built: KDBG and modules need it");
    kdx_target_close(tg);
    free(buf);
}

TEST(kdump_writer_complete_sample)
{
    check_physical_sample(t, KDX_KDW_COMPLETE);
}

TEST(kdump_writer_bitmap_sample)
{
    check_physical_sample(t, KDX_KDW_BITMAP);
}

TEST(kdump_writer_summary_sample)
{
    check_physical_sample(t, KDX_KDW_SUMMARY);
}

/* A 32-bit PAE dump from the writer, as complete and triage. */
static kdx_kdw *pae_writer(void)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X86, true);
    kdx_kdw_set_system(w, 2600, 1, 0x01c8000000000000ull, 1000000000ull);
    kdx_kdw_set_bugcheck(w, 0xc5, 0x8054099e, 2, 0, 0x80545000);
    kdx_kdw_add_module(w, "\\SystemRoot\\system32\\DRIVERS\\myfault.sys", 0xf9a10000ull, 0x2000, 0x45f1a3f5);
    kdx_err err;
    kdx_kdw_write_virt(w, 0xf9a10054ull, "Lea1", 4, &err);
    kdx_context c = {.arch = KDX_ARCH_X86};
    kdx_ctx_set(&c, KDX_X86_EIP, 0x8054099e);
    kdx_ctx_set(&c, KDX_X86_ESP, 0xf8a2bc00);
    kdx_kdw_map(w, 0xf8a2b000ull, 0x1000, &err);
    kdx_kdw_set_context(w, 0, &c, 0x81234560, 0x81200000);
    return w;
}

TEST(kdump_writer_pae_complete_and_triage)
{
    for (int kind = KDX_KDW_COMPLETE; kind <= KDX_KDW_TRIAGE; kind += 2) {
        kdx_kdw *w = pae_writer();
        uint8_t *b;
        size_t n;
        kdx_err err;
        REQUIRE(kdx_kdw_build(w, (kdx_kdw_kind)kind, &b, &n, &err) == KDX_OK);
        uint64_t dtb = kdx_kdw_dtb(w);
        kdx_kdw_free(w);
        kdx_target *tg;
        kdx_status st = open_buf(b, n, "pae.dmp", &tg, &err);
        if (st != KDX_OK)
            kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);
        REQUIRE(st == KDX_OK);
        const kdx_kdump *d = kdx_kdump_of(tg);
        CHECK(!d->hdr.is64);
        CHECK_EQ(d->hdr.pae_enabled, 1);
        CHECK_EQ(tg->arch, KDX_ARCH_X86);
        CHECK_EQ(tg->ptr_size, 4);
        CHECK_EQ(tg->kernel.bugcheck_code, 0xc5);
        CHECK_EQ(tg->kernel.bugcheck_args[3], 0x80545000);
        if (kind == KDX_KDW_COMPLETE) {
            CHECK_EQ(tg->paging, KDX_PAGING_X86_PAE);
            CHECK_EQ(tg->kernel_dtb, dtb);
            /* PDPTE 3 -> PDE -> PTE for f9a10054, by hand. */
            uint64_t pdpte = 0, pde = 0, pte = 0;
            CHECK_OK(kdx_read_phys(tg, dtb + 3 * 8, &pdpte, 8, NULL, NULL));
            CHECK_EQ(pdpte & 0xfff, 1);
            CHECK_OK(kdx_read_phys(tg, (pdpte & ~0xfffull) + ((0xf9a10054ull >> 21) & 511) * 8, &pde, 8, NULL, NULL));
            CHECK_OK(kdx_read_phys(tg, (pde & ~0xfffull) + ((0xf9a10054ull >> 12) & 511) * 8, &pte, 8, NULL, NULL));
            char s[5] = {0};
            CHECK_OK(kdx_read_phys(tg, (pte & ~0xfffull) + 0x54, s, 4, NULL, NULL));
            CHECK_STR(s, "Lea1");
        } else {
            CHECK(d->is_triage);
            CHECK(tg->kernel.kdbg_valid);
            CHECK_EQ(tg->kernel.kernel_base, 0x80400000);
            kdx_module *m = kdx_target_module_named(tg, "myfault");
            REQUIRE(m != NULL);
            CHECK_EQ(m->base, 0xf9a10000ull);
            CHECK_EQ(m->timestamp, 0x45f1a3f5);
            kdx_context c;
            CHECK_OK(tg->ops->get_context(tg->impl, 0, &c, NULL));
            CHECK_EQ(kdx_ctx_ip(&c), 0x8054099e);
            char s[5] = {0};
            CHECK_OK(kdx_read_virt(tg, 0xf9a10054ull, s, 4, NULL, NULL));
            CHECK_STR(s, "Lea1");
        }
        kdx_target_close(tg);
        free(b);
    }
}

TEST(kdump_kdbg_encoding_roundtrip_and_recovery)
{
    uint8_t plain[0x380] = {0};
    memcpy(plain + KDX_KDBG_OWNER_TAG, "KDBG", 4);
    kdx_put_le32(plain + KDX_KDBG_SIZE, sizeof plain);
    kdx_put_le64(plain + KDX_KDBG_KERN_BASE, 0xfffff8047ba00000ull);
    kdx_put_le64(plain + KDX_KDBG_PS_LOADED_MODULE_LIST, 0xfffff8047c62a390ull);
    kdx_put_le64(plain + KDX_KDBG_PS_ACTIVE_PROCESS_HEAD, 0xfffff8047c61e200ull);
    uint8_t enc[sizeof plain];
    memcpy(enc, plain, sizeof plain);
    kdx_kdbg_encode(enc, sizeof enc, 0x1234567890abcdefull, 0x0fedcba987654321ull, 0xfffff8047c6a1f28ull);
    CHECK(!kdx_kdbg_looks_plain(enc, sizeof enc));
    uint8_t dec[sizeof plain];
    memcpy(dec, enc, sizeof enc);
    kdx_kdbg_decode(dec, sizeof dec, 0x1234567890abcdefull, 0x0fedcba987654321ull, 0xfffff8047c6a1f28ull);
    CHECK(memcmp(dec, plain, sizeof plain) == 0);
    /* Without the keys: the header's module list and process head suffice. */
    memcpy(dec, enc, sizeof enc);
    CHECK(kdx_kdbg_recover(dec, sizeof dec, 0xfffff8047c62a390ull, 0xfffff8047c61e200ull));
    CHECK(memcmp(dec, plain, sizeof plain) == 0);
    kdx_kdbg k;
    CHECK_OK(kdx_kdbg_from_bytes(&k, enc, sizeof enc, 0xfffff8047c600b20ull, 0xfffff8047c62a390ull,
                                 0xfffff8047c61e200ull, false, "test", NULL));
    CHECK(k.was_encoded);
    CHECK_EQ(kdx_kdbg_u64(&k, KDX_KDBG_KERN_BASE), 0xfffff8047ba00000ull);
    /* Wrong known values: no key fits, a clear error. */
    memcpy(dec, enc, sizeof enc);
    CHECK(!kdx_kdbg_recover(dec, sizeof dec, 0x1111, 0x2222));
    kdx_err err;
    CHECK(kdx_kdbg_from_bytes(&k, enc, sizeof enc, 0, 0x1111, 0x2222, false, "x.dmp", &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "KDBG");
}

static uint8_t *sample_buf(kdx_kdw_kind kind, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/s%d.dmp", kdx_test_tmpdir(), (int)kind);
    kdx_err err;
    uint8_t *b = NULL;
    if (kdx_kdw_sample_apc_exit(kind, path, &err) != KDX_OK || kdx_read_all(path, &b, n, &err) != KDX_OK)
        return NULL;
    return b;
}

TEST(kdump_truncated_files_give_clear_errors)
{
    for (int kind = 0; kind < 4; kind++) {
        size_t n;
        uint8_t *b = sample_buf((kdx_kdw_kind)kind, &n);
        REQUIRE(b != NULL);
        size_t cuts[] = {0, 7, 8, 0x100, 0xfff, 0x1000, 0x1fff, 0x2000, 0x2010, 0x2040, 0x2100,
                         0x3000, n / 2, n - 1};
        for (size_t i = 0; i < KDX_ARRAY_LEN(cuts); i++) {
            kdx_target *tg = NULL;
            kdx_err err = {0};
            kdx_status st = open_buf(b, cuts[i], "cut.dmp", &tg, &err);
            if (st != KDX_OK) {
                CHECK_CONTAINS(err.msg, "cut.dmp");
                continue;
            }
            /* Opened: the file must be known as cut, and reads past the end fail. */
            const kdx_kdump *d = kdx_kdump_of(tg);
            CHECK(d->truncated);
            kdx_target_close(tg);
        }
        free(b);
    }
}

TEST(kdump_corrupt_headers_name_structure_and_offset)
{
    size_t n;
    uint8_t *b = sample_buf(KDX_KDW_COMPLETE, &n);
    REQUIRE(b != NULL);
    kdx_target *tg;
    kdx_err err;
    kdx_put_le32(b + KDX_DH64_PHYS_BLOCK, 1000);
    CHECK(open_buf(b, n, "bad.dmp", &tg, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "bad.dmp: PHYSICAL_MEMORY_DESCRIPTOR at offset 0x88");
    kdx_put_le32(b + KDX_DH64_PHYS_BLOCK, 1);
    kdx_put_le32(b + KDX_DH64_DUMP_TYPE, 99);
    CHECK(open_buf(b, n, "bad.dmp", &tg, &err) == KDX_E_UNSUPPORTED);
    CHECK_CONTAINS(err.msg, "offset 0xf98: DumpType 99");
    kdx_put_le32(b + KDX_DH64_DUMP_TYPE, 1);
    kdx_put_le32(b + 0x30, 0x1234);
    CHECK(open_buf(b, n, "bad.dmp", &tg, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "MachineImageType 0x1234");
    free(b);

    b = sample_buf(KDX_KDW_TRIAGE, &n);
    REQUIRE(b != NULL);
    kdx_put_le32(b + 0x2000 + 0x78, (uint32_t)n + 16); /* DataBlocksOffset */
    CHECK(open_buf(b, n, "tri.dmp", &tg, &err) == KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "tri.dmp");
    CHECK_CONTAINS(err.msg, "triage data block table");
    free(b);
}

/* Deterministic byte mutations of each container: every one opens or fails
 * cleanly (ASan/UBSan builds check there is no overflow). */
TEST(kdump_mutated_dumps_do_not_crash)
{
    uint64_t seed = 0x2545f4914f6cdd1dull;
    for (int kind = 0; kind < 4; kind++) {
        size_t n;
        uint8_t *orig = sample_buf((kdx_kdw_kind)kind, &n);
        REQUIRE(orig != NULL);
        uint8_t *b = malloc(n);
        for (int round = 0; round < 60; round++) {
            memcpy(b, orig, n);
            for (int k = 0; k < 8; k++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                /* Aim at the headers, where the structure lives. */
                size_t at = (size_t)(seed % (kind == KDX_KDW_TRIAGE ? 0x2100 : 0x2100));
                b[at % n] = (uint8_t)(seed >> 32);
            }
            kdx_target *tg = NULL;
            kdx_err err;
            if (open_buf(b, n, "mut.dmp", &tg, &err) == KDX_OK) {
                uint8_t tmp[64];
                kdx_read_virt(tg, RSP, tmp, sizeof tmp, NULL, NULL);
                kdx_context c;
                for (unsigned i = 0; i < tg->ncontexts && i < 4; i++)
                    tg->ops->get_context(tg->impl, i, &c, NULL);
                kdx_target_close(tg);
            }
        }
        free(b);
        free(orig);
    }
}

/* A complete dump whose in-memory KDBG is encoded the Windows 8+ way: the
 * reader decodes it from the header's known values. */
TEST(kdump_writer_encoded_kdbg_complete)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
    kdx_kdw_set_system(w, 9600, 1, 0x01d0000000000000ull, 10000000ull);
    kdx_kdw_encode_kdbg(w, 0x5a17c3e9d2b4f681ull, 0x93e1a7c5b3d9f2e4ull, 0xfffff80001a3c5b8ull);
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, 0xfffff80001700000ull);
    kdx_ctx_set(&c, KDX_X64_RSP, 0xfffff88000123f00ull);
    kdx_err err;
    kdx_kdw_map(w, 0xfffff88000123000ull, 0x1000, &err);
    kdx_kdw_set_context(w, 0, &c, 0, 0);
    uint8_t *b;
    size_t n;
    REQUIRE(kdx_kdw_build(w, KDX_KDW_COMPLETE, &b, &n, &err) == KDX_OK);
    kdx_kdw_free(w);
    kdx_target *tg;
    REQUIRE(open_buf(b, n, "enc.dmp", &tg, &err) == KDX_OK);
    if (!translation_available(tg)) {
        kdx_target_close(tg);
        free(b);
        SKIP("address translation (src/mm) is not built: the in-memory KDBG needs it");
    }
    const kdx_kdump *d = kdx_kdump_of(tg);
    CHECK(d->kdbg.present);
    CHECK(d->kdbg.was_encoded);
    CHECK_EQ(tg->kernel.kernel_base, 0xfffff80001613000ull);
    CHECK_EQ(tg->sys.os_major, 6);
    CHECK_EQ(tg->sys.os_minor, 3);
    kdx_context got;
    CHECK_OK(tg->ops->get_context(tg->impl, 0, &got, NULL));
    CHECK_EQ(kdx_ctx_ip(&got), 0xfffff80001700000ull);
    kdx_target_close(tg);
    free(b);
}

static kdx_status gen_sample_triage(const char *path, kdx_err *err)
{
    return kdx_kdw_sample_apc_exit(KDX_KDW_TRIAGE, path, err);
}

static kdx_status gen_sample_complete(const char *path, kdx_err *err)
{
    return kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, path, err);
}

static kdx_status gen_sample_bitmap(const char *path, kdx_err *err)
{
    return kdx_kdw_sample_apc_exit(KDX_KDW_BITMAP, path, err);
}

TEST_GENERATOR(kdump_sample_triage, gen_sample_triage)
TEST_GENERATOR(kdump_sample_complete, gen_sample_complete)
TEST_GENERATOR(kdump_sample_bitmap, gen_sample_bitmap)

/* Raw physical pages far apart: the complete dump merges runs down to the 42
 * the header holds, the bitmap dump stays small for 8 GB of address space,
 * and both stream to sparse files. */
TEST(kdump_writer_sparse_physical_layouts)
{
    for (int kind = KDX_KDW_COMPLETE; kind <= KDX_KDW_BITMAP; kind++) {
        kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
        kdx_kdw_set_dtb(w, 0x1ad000);
        for (uint64_t i = 0; i < 60; i++) {
            char tag[16];
            snprintf(tag, sizeof tag, "page%02u", (unsigned)i);
            kdx_kdw_write_phys(w, (0x1000 + i * 0x10) * 4096ull, tag, 7);
        }
        kdx_kdw_write_phys(w, 0x1ffff0ull * 4096, "top", 4); /* just below 8 GB */
        char path[512];
        snprintf(path, sizeof path, "%s/sparse%d.dmp", kdx_test_tmpdir(), kind);
        kdx_err err;
        REQUIRE(kdx_kdw_save(w, (kdx_kdw_kind)kind, path, &err) == KDX_OK);
        kdx_kdw_free(w);
        kdx_target *tg;
        REQUIRE(kdx_target_open(path, &tg, &err) == KDX_OK);
        const kdx_kdump *d = kdx_kdump_of(tg);
        CHECK(!d->truncated);
        if (kind == KDX_KDW_COMPLETE)
            CHECK(d->nruns <= 42);
        else
            CHECK_EQ(d->bmp.total_present_pages, 62); /* 61 written pages + the dtb page */
        char got[8];
        for (uint64_t i = 0; i < 60; i += 7) {
            char tag[16];
            snprintf(tag, sizeof tag, "page%02u", (unsigned)i);
            CHECK_OK(kdx_read_phys(tg, (0x1000 + i * 0x10) * 4096ull, got, 7, NULL, NULL));
            CHECK(memcmp(got, tag, 7) == 0);
        }
        CHECK_OK(kdx_read_phys(tg, 0x1ffff0ull * 4096, got, 4, NULL, NULL));
        CHECK_STR(got, "top");
        if (kind == KDX_KDW_BITMAP)
            CHECK(kdx_read_phys(tg, 0x1001ull * 4096, got, 4, NULL, NULL) != KDX_OK);
        kdx_target_close(tg);
    }
}

/* The bitmap header's TotalPresentPages/Pages order is told apart by the
 * bitmap's population; a count that fits neither is an error. */
TEST(kdump_bitmap_header_field_order)
{
    size_t n;
    uint8_t *b = sample_buf(KDX_KDW_BITMAP, &n);
    REQUIRE(b != NULL);
    uint64_t present = kdx_le64(b + 0x2028), pages = kdx_le64(b + 0x2030);
    kdx_put_le64(b + 0x2028, pages);
    kdx_put_le64(b + 0x2030, present);
    kdx_target *tg;
    kdx_err err;
    REQUIRE(open_buf(b, n, "swap.dmp", &tg, &err) == KDX_OK);
    const kdx_kdump *d = kdx_kdump_of(tg);
    CHECK_EQ(d->bmp.total_present_pages, present);
    CHECK_EQ(d->bmp.pages, pages);
    uint64_t v;
    CHECK_OK(kdx_read_u64(tg, RSP, &v, NULL));
    CHECK_EQ(v, 0xfffff80001984bd9ull);
    kdx_target_close(tg);
    kdx_put_le64(b + 0x2028, present + 1);
    kdx_put_le64(b + 0x2030, pages);
    CHECK(open_buf(b, n, "bad.dmp", &tg, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "bad.dmp: bitmap dump header at offset 0x2000");
    free(b);
}

/* 32-bit without PAE: 2-level tables of 4-byte entries; its KDBG encoded,
 * with pointers sign-extended as 32-bit kernels store them. */
TEST(kdump_writer_x86_nonpae_complete)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X86, false);
    kdx_kdw_encode_kdbg(w, 0x0123456789abcdefull, 0x1122334455667788ull, 0xffffffff80545a10ull);
    kdx_err err;
    REQUIRE(kdx_kdw_write_virt(w, 0x8054099eull, "\x33\xdb\x8b\x75", 4, &err) == KDX_OK);
    uint8_t *b;
    size_t n;
    REQUIRE(kdx_kdw_build(w, KDX_KDW_COMPLETE, &b, &n, &err) == KDX_OK);
    uint64_t dtb = kdx_kdw_dtb(w);
    kdx_kdw_free(w);
    kdx_target *tg;
    REQUIRE(open_buf(b, n, "x86.dmp", &tg, &err) == KDX_OK);
    CHECK_EQ(tg->paging, KDX_PAGING_X86);
    CHECK_EQ(tg->kernel_dtb, dtb);
    uint32_t pde = 0, pte = 0;
    CHECK_OK(kdx_read_phys(tg, dtb + (0x8054099eull >> 22) * 4, &pde, 4, NULL, NULL));
    CHECK_EQ(pde & 1, 1);
    CHECK_OK(kdx_read_phys(tg, (pde & ~0xfffu) + ((0x8054099eull >> 12) & 1023) * 4, &pte, 4, NULL, NULL));
    uint8_t got[4];
    CHECK_OK(kdx_read_phys(tg, (pte & ~0xfffu) + 0x99e, got, 4, NULL, NULL));
    CHECK(memcmp(got, "\x33\xdb\x8b\x75", 4) == 0);
    if (translation_available(tg)) {
        CHECK_OK(kdx_read_virt(tg, 0x8054099eull, got, 4, NULL, NULL));
        CHECK(memcmp(got, "\x33\xdb\x8b\x75", 4) == 0);
        CHECK(tg->kernel.kdbg_valid);
        CHECK(kdx_kdump_of(tg)->kdbg.was_encoded);
        CHECK_EQ(tg->kernel.kernel_base, 0x80400000);
    }
    kdx_target_close(tg);
    free(b);
}

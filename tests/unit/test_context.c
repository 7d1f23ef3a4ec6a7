/* Unit tests for register contexts: CONTEXT layouts and register names. */
#include "target/context.h"
#include "tests/test.h"

TEST(context_x64_roundtrip)
{
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, 0xfffff8047bdf5a80ull);
    kdx_ctx_set(&c, KDX_X64_RSP, 0xffff850429890ee8ull);
    kdx_ctx_set(&c, KDX_X64_R15, 0x15);
    kdx_ctx_set(&c, KDX_X64_CS, 0x10);
    uint8_t buf[KDX_CONTEXT_X64_SIZE];
    CHECK_EQ(kdx_context_write(&c, buf, sizeof buf), KDX_CONTEXT_X64_SIZE);
    /* Rip lives at 0xf8 and Rsp at 0x98 in the Windows x64 CONTEXT. */
    CHECK_EQ(buf[0xf8], 0x80);
    CHECK_EQ(buf[0x98], 0xe8);
    kdx_context d;
    CHECK_OK(kdx_context_parse(KDX_ARCH_X64, buf, sizeof buf, &d, NULL));
    CHECK_EQ(kdx_ctx_ip(&d), 0xfffff8047bdf5a80ull);
    CHECK_EQ(kdx_ctx_sp(&d), 0xffff850429890ee8ull);
    CHECK_EQ(d.r[KDX_X64_R15], 0x15);
    CHECK_EQ(d.r[KDX_X64_CS], 0x10);
}

TEST(context_x86_offsets)
{
    uint8_t buf[KDX_CONTEXT_X86_SIZE] = {0};
    buf[0xb8] = 0x9e; /* Eip */
    buf[0xc4] = 0x44; /* Esp */
    buf[0xb0] = 0x01; /* Eax */
    kdx_context c;
    CHECK_OK(kdx_context_parse(KDX_ARCH_X86, buf, sizeof buf, &c, NULL));
    CHECK_EQ(c.r[KDX_X86_EIP], 0x9e);
    CHECK_EQ(c.r[KDX_X86_ESP], 0x44);
    CHECK_EQ(c.r[KDX_X86_EAX], 1);
}

TEST(context_truncated_is_error)
{
    uint8_t buf[16] = {0};
    kdx_context c;
    kdx_err err = {0};
    CHECK_EQ(kdx_context_parse(KDX_ARCH_X64, buf, sizeof buf, &c, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "x64 CONTEXT");
}

TEST(context_register_lookup)
{
    kdx_reg_ref r;
    CHECK(kdx_reg_lookup(KDX_ARCH_X64, "RAX", 3, &r) && r.reg == KDX_X64_RAX && r.mask == ~0ull);
    CHECK(kdx_reg_lookup(KDX_ARCH_X64, "eax", 3, &r) && r.reg == KDX_X64_RAX && r.mask == 0xffffffffull);
    CHECK(kdx_reg_lookup(KDX_ARCH_X64, "ah", 2, &r) && r.shift == 8 && r.mask == 0xff);
    CHECK(kdx_reg_lookup(KDX_ARCH_X64, "r8d", 3, &r) && r.reg == KDX_X64_R8 && r.mask == 0xffffffffull);
    CHECK(kdx_reg_lookup(KDX_ARCH_ARM64, "x29", 3, &r) && r.reg == KDX_ARM64_FP);
    CHECK(kdx_reg_lookup(KDX_ARCH_ARM64, "w3", 2, &r) && r.reg == 3 && r.mask == 0xffffffffull);
    CHECK(!kdx_reg_lookup(KDX_ARCH_X86, "rax", 3, &r));
}

/* Unit tests for the expression evaluators and the ?, .formats, n, .expr
 * commands. Expected values are worked out by hand from WinDbg's documented
 * rules (MASM Numbers and Operators, Sign Extension, .formats), not taken
 * from the code under test. A small in-memory target supplies registers,
 * memory and modules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "expr/expr.h"
#include "target/module.h"
#include "symprov/provider.h"
#include "target/target.h"
#include "tests/test.h"

/* ---- a fake target: a few pages of memory, one register context ---- */

typedef struct fake_page {
    uint64_t va;
    uint8_t bytes[4096];
} fake_page;

typedef struct fake_impl {
    fake_page pages[8];
    int npages;
    kdx_context ctx;
    kdx_thread_info ti;
} fake_impl;

static kdx_status fake_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    fake_impl *f = impl;
    uint8_t *out = buf;
    size_t got = 0;
    while (got < len) {
        uint64_t a = va + got;
        fake_page *pg = NULL;
        for (int i = 0; i < f->npages; i++)
            if (f->pages[i].va == (a & ~0xfffull))
                pg = &f->pages[i];
        if (!pg)
            break;
        out[got++] = pg->bytes[a & 0xfff];
    }
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static kdx_status fake_context(void *impl, unsigned index, kdx_context *out, kdx_err *err)
{
    (void)index;
    (void)err;
    *out = ((fake_impl *)impl)->ctx;
    return KDX_OK;
}

static kdx_status fake_thread_info(void *impl, unsigned index, kdx_thread_info *out, kdx_err *err)
{
    (void)index;
    (void)err;
    *out = ((fake_impl *)impl)->ti;
    return KDX_OK;
}

static void fake_close(void *impl)
{
    free(impl);
}

static const kdx_target_ops fake_ops = {
    .format_name = "fake",
    .close = fake_close,
    .read_virt = fake_read_virt,
    .get_context = fake_context,
    .get_thread_info = fake_thread_info,
};

static fake_page *fake_add_page(fake_impl *f, uint64_t va)
{
    fake_page *pg = &f->pages[f->npages++];
    pg->va = va;
    memset(pg->bytes, 0, sizeof pg->bytes);
    return pg;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Session on a fake target of the given kind/arch, writing to a memstream. */
typedef struct fixture {
    kdx_session *s;
    FILE *mem;
    char *out;
    size_t len;
    fake_impl *f;
} fixture;

static void fixture_open(fixture *fx, kdx_target_kind kind, kdx_arch arch)
{
    memset(fx, 0, sizeof *fx);
    fx->mem = open_memstream(&fx->out, &fx->len);
    fx->s = kdx_session_new(fx->mem);
    if (kind == (kdx_target_kind)-1)
        return; /* no target */
    kdx_target *t = kdx_target_new(kind, arch, "fake.dmp");
    fake_impl *f = kdx_xcalloc(1, sizeof *f);
    t->ops = &fake_ops;
    t->impl = f;
    t->ncontexts = 1;
    f->ctx.arch = arch;
    if (arch == KDX_ARCH_X64) {
        f->ctx.r[KDX_X64_RAX] = 0x1234;
        f->ctx.r[KDX_X64_RSP] = 0x100000;
        f->ctx.r[KDX_X64_RIP] = 0x7ff612340000ull;
        f->ctx.valid = (1ull << KDX_X64_RAX) | (1ull << KDX_X64_RSP) | (1ull << KDX_X64_RIP);
    } else {
        f->ctx.r[KDX_X86_EAX] = 0x80000000u;
        f->ctx.r[KDX_X86_EIP] = 0x8054099eu;
        f->ctx.r[KDX_X86_ESP] = 0xf9a10054u;
        f->ctx.valid = (1ull << KDX_X86_EAX) | (1ull << KDX_X86_EIP) | (1ull << KDX_X86_ESP);
    }
    /* 0x1000: qwords 0x1122334455667788, then 0x1000 (a pointer to itself). */
    fake_page *pg = fake_add_page(f, 0x1000);
    put64(pg->bytes, 0x1122334455667788ull);
    put64(pg->bytes + 8, 0x1000);
    /* 0x10000: PE headers of module "mymod": e_lfanew 0x80, entry RVA 0x1230. */
    pg = fake_add_page(f, 0x10000);
    pg->bytes[0] = 'M';
    pg->bytes[1] = 'Z';
    pg->bytes[0x3c] = 0x80;
    memcpy(pg->bytes + 0x80, "PE\0\0", 4);
    pg->bytes[0x80 + 0x28] = 0x30;
    pg->bytes[0x80 + 0x29] = 0x12;
    /* 0x3000: a TEB whose PEB pointer (+0x60) is 0x4000. */
    pg = fake_add_page(f, 0x3000);
    put64(pg->bytes + 0x60, 0x4000);
    f->ti.id = 0x1a2c;
    f->ti.teb = 0x3000;
    kdx_module *mymod = kdx_module_new("mymod", 0x10000, 0x8000);
    mymod->symstatus = KDX_SYMSTATUS_NONE; /* synthetic: no symbol file to look for */
    kdx_target_add_module(t, mymod);
    t->kernel.bugcheck_code = 0x20;
    t->kernel.bugcheck_args[0] = 0xfffffa80deadbeefull;
    fx->s->target = t;
    fx->f = f;
}

static const char *fixture_run(fixture *fx, const char *cmds)
{
    fflush(fx->mem);
    fseek(fx->mem, 0, SEEK_SET);
    kdx_execute(fx->s, cmds);
    fputc('\0', fx->mem);
    fflush(fx->mem);
    return fx->out;
}

static void fixture_close(fixture *fx)
{
    kdx_session_free(fx->s);
    fclose(fx->mem);
    free(fx->out);
}

/* ---- the table ---- */

typedef struct expr_case {
    const char *text;
    uint64_t value;
    const char *error; /* expected error message (prefix), NULL for success */
} expr_case;

#define OK(t, v) {t, (uint64_t)(v), NULL}
#define ERR(t, e) {t, 0, e}

/* No target: 64-bit values, no sign extension, radix 16. */
static const expr_case masm_cases[] = {
    /* numbers and radix prefixes */
    OK("0", 0), OK("1", 1), OK("10", 0x10), OK("ff", 0xff), OK("FF", 0xff),
    OK("0x10", 0x10), OK("0X1f", 0x1f), OK("0n10", 10), OK("0N99", 99), OK("0t17", 15),
    OK("0t777", 511), OK("0y101", 5), OK("0y11111111", 255), OK("10h", 0x10), OK("0ffh", 0xff),
    OK("fffff880`0496e3aa", 0xfffff8800496e3aaull), OK("0x1`00000000", 0x100000000ull),
    OK("ffffffffffffffff", ~0ull), OK("80000000", 0x80000000ull), OK("0`80000000", 0x80000000ull),
    OK("abc", 0xabc), OK("deadbeef", 0xdeadbeef), OK("0n18446744073709551615", ~0ull),
    OK("0y0", 0), OK("0t0", 0), OK("1`0000", 0x10000), OK("0x0`1", 1), OK("ah", 0xa),
    OK("0b1", 0xb1), OK("0e", 0xe), OK("  7  ", 7),
    /* unary */
    OK("-1", ~0ull), OK("+5", 5), OK("~0", ~0ull), OK("~1", 0xfffffffffffffffeull), OK("!0", 1),
    OK("!5", 0), OK("not 0", 1), OK("not 3", 0), OK("NOT 0", 1), OK("--5", 5), OK("-~0", 1),
    OK("~-1", 0), OK("hi 12345678", 0x1234), OK("low 12345678", 0x5678),
    OK("hi(0xabcd0000)", 0xabcd), OK("low(0x1ffff)", 0xffff), OK("hi 1`23456789", 0x2345),
    OK("!!7", 1), OK("- 2", 0xfffffffffffffffeull), OK("-(1+1)", 0xfffffffffffffffeull),
    /* * / % mod */
    OK("2*3", 6), OK("0n10/3", 3), OK("0n10%3", 1), OK("0n10 mod 3", 1), OK("0n10 MOD 4", 2),
    OK("7*0", 0), OK("-6/2", (uint64_t)-3), OK("-7%2", (uint64_t)-1),
    OK("ffffffffffffffff*2", 0xfffffffffffffffeull), OK("2*3*4", 0x18), OK("100/10/2", 8),
    OK("0n100/0n7*0n7", 98), OK("0n7 mod 0n7", 0), OK("5/-1", (uint64_t)-5),
    /* + - */
    OK("1+2", 3), OK("5-3", 2), OK("3-5", 0xfffffffffffffffeull), OK("1+2*3", 7),
    OK("(1+2)*3", 9), OK("10-2-3", 0xb), OK("fffffa804b729790 + 0xa0", 0xfffffa804b729830ull),
    OK("ffffffffffffffff+1", 0), OK("1+-1", 0), OK("2*3+4*5", 0x1a), OK("-2+5", 3),
    OK("0n10+0x10+0t10+0y10", 36), OK("1 + 2 * 3 - 4 / 2", 5),
    /* << >> >>> */
    OK("1<<4", 0x10), OK("100>>4", 0x10), OK("1<<3f", 0x8000000000000000ull), OK("1<<40", 0),
    OK("-1>>3c", 0xf), OK("-1>>>4", ~0ull), OK("-10>>>4", ~0ull), OK("80>>>4", 8),
    OK("1+1<<2", 8), OK("1<<2+1", 8), OK("8000000000000000>>3f", 1),
    OK("8000000000000000>>>3f", ~0ull), OK("f0 >> 4 << 4", 0xf0), OK("3*2<<1", 0xc),
    /* comparisons */
    OK("1=1", 1), OK("1==1", 1), OK("1==2", 0), OK("1!=2", 1), OK("2!=2", 0), OK("1<2", 1),
    OK("2<1", 0), OK("2>1", 1), OK("1>2", 0), OK("2<=2", 1), OK("3<=2", 0), OK("2>=2", 1),
    OK("1>=2", 0), OK("1<<2 == 4", 1), OK("1+1 == 2", 1), OK("1 == 1 == 1", 1),
    OK("3 > 2 > 1", 0), OK("2 = 1+1", 1), OK("8>>1 != 4", 0),
    /* & and, ^ xor, | or */
    OK("f0 & 3c", 0x30), OK("f0 and 3c", 0x30), OK("f0 | f", 0xff), OK("f0 or f", 0xff),
    OK("ff ^ f", 0xf0), OK("ff xor f", 0xf0), OK("1 | 2 & 3", 3), OK("1 | 2 ^ 3", 1),
    OK("4 ^ 6 & 3", 6), OK("6 & 3 == 3", 0), OK("(6 & 3) == 2", 1), OK("1 or 2 and 0", 1),
    OK("f0f0 AND ff00", 0xf000), OK("1|2|4|8", 0xf), OK("3 & 2 ^ 1 | 8", 0xb),
    OK("~0 & ffff", 0xffff), OK("1 XOR 1", 0), OK("a Or 5", 0xf),
    /* parentheses */
    OK("((((1))))", 1), OK("(1+2)*(3+4)", 0x15), OK("((2))<<((3))", 0x10),
    OK("2*(3+(4*(5-1)))", 0x26), OK("0x10 + 0n16", 0x20), OK("0y1010 * 0t10", 0x50),
    /* the PTE article's expression */
    OK("(004009e3 & 0y11111111111000000000000000000000) + (8054099e & 0y00000000000111111111111111111111)",
       0x54099e),
    /* pseudo-registers that need no target */
    OK("$ptrsize", 8), OK("@$ptrsize", 8), OK("$pagesize", 0x1000), OK("$t0", 0), OK("@$t19", 0),
    /* more precedence and associativity */
    OK("1+2<<3", 0x18), OK("2*3<<1+1", 0x18), OK("10 > 5 + 5", 1), OK("1 & 1 | 0 ^ 1", 1),
    OK("f & f0 | f0", 0xf0), OK("~f & ff", 0xf0), OK("-1 & ff", 0xff), OK("!1 + 1", 1),
    OK("not 1 + 1", 1), OK("hi 10000 + 1", 2), OK("low 12345 * 2", 0x468a), OK("-2 * -3", 6),
    OK("0n255 == 0xff", 1), OK("0t377 == 0y11111111", 1), OK("0ffh == 0n255", 1),
    OK("100h - 1", 0xff), OK("1`0000`0000", 0x100000000ull), OK("0n1`000", 1000),
    OK("4 mod 3 * 2", 2), OK("2 * 4 mod 3", 2), OK("10 / 2 * 2", 0x10), OK("8 - 4 - 2", 2),
    OK("1 << 2 << 3", 0x20), OK("100 >> 2 >> 2", 0x10), OK("2 < 3 == 1", 1),
    OK("(1 < 2) + (2 < 1)", 1), OK("5 & 3 & 1", 1), OK("1 ^ 2 ^ 4", 7), OK("0 | 0", 0),
    ERR("(", "Syntax error at ''"), ERR(")", "Syntax error at ')'"),
    ERR("1 + (2", "Syntax error at ''"), ERR("0x10g", "Syntax error at '0x10g'"),
    ERR("mod 3", "Couldn't resolve error at 'mod 3'"), ERR("0n", "Syntax error at '0n'"),
    ERR("1 / (2 - 2)", "Divide by zero error at ''"),
    /* errors */
    ERR("1/0", "Divide by zero error at ''"), ERR("1 mod 0", "Divide by zero error at ''"),
    ERR("5 % (1-1)", "Divide by zero error at ''"), ERR("1/0+2", "Divide by zero error at '+2'"),
    ERR("foo", "Couldn't resolve error at 'foo'"), ERR("foo+1", "Couldn't resolve error at 'foo+1'"),
    ERR("nt!foo", "Couldn't resolve error at 'nt!foo'"), ERR("1+", "Syntax error at ''"),
    ERR("(1", "Syntax error at ''"), ERR("1)", "Syntax error at ')'"), ERR("*2", "Syntax error at '*2'"),
    ERR("0x", "Syntax error at '0x'"), ERR("0n1a", "Syntax error at '0n1a'"),
    ERR("0y102", "Syntax error at '0y102'"), ERR("0t8", "Syntax error at '0t8'"),
    ERR("1ffffffffffffffff", "Overflow error at '1ffffffffffffffff'"),
    ERR("@foo", "Bad register error at '@foo'"), ERR("$foo", "Bad register error at '$foo'"),
    ERR("$t20", "Bad register error at '$t20'"), ERR("poi(0)", "Memory access error at ')'"),
    ERR("1 +* 2", "Syntax error at '* 2'"), ERR("()", "Syntax error at ')'"),
    ERR("", "Numeric expression missing from '<EOL>'"), ERR("1 2", "Syntax error at '2'"),
    ERR("@rax", "Bad register error at '@rax'"), ERR("$ip", "Bad register error at '$ip'"),
    ERR("$bug_code", "Bad register error at '$bug_code'"), ERR("2 << ", "Syntax error at ''"),
    ERR("1 == ", "Syntax error at ''"), ERR("~", "Syntax error at ''"),
    ERR("$scmp(\"a\" \"b\")", "Syntax error at '\"b\")'"), ERR("#", "Syntax error at '#'"),
};

static void run_cases(kdx_test_ctx *t, kdx_session *s, const expr_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const expr_case *c = &cases[i];
        uint64_t v = 0;
        kdx_err err;
        kdx_status st = kdx_expr_eval_all(s, c->text, &v, &err);
        if (c->error) {
            if (st == KDX_OK || strncmp(err.msg, c->error, strlen(c->error)) != 0)
                kdx_test_fail(t, __FILE__, __LINE__, "'%s': want error \"%s\", got %s \"%s\"",
                              c->text, c->error, kdx_status_name(st), st ? err.msg : "");
        } else if (st != KDX_OK || v != c->value) {
            kdx_test_fail(t, __FILE__, __LINE__, "'%s': want 0x%llx, got 0x%llx (%s)", c->text,
                          (unsigned long long)c->value, (unsigned long long)v,
                          st ? err.msg : "ok");
        }
    }
}

TEST(expr_masm_table)
{
    kdx_session *s = kdx_session_new(stdout);
    run_cases(t, s, masm_cases, KDX_ARRAY_LEN(masm_cases));
    CHECK(KDX_ARRAY_LEN(masm_cases) >= 200);
    kdx_session_free(s);
}

/* Kernel mode: 32-bit constants with the high bit set are sign extended
 * unless written with a backtick before the low 8 digits. */
static const expr_case kernel_cases[] = {
    OK("80000000", 0xffffffff80000000ull), OK("0`80000000", 0x80000000ull),
    OK("00000000EEAA1122", 0xffffffffeeaa1122ull), OK("0`EEAA1122", 0xeeaa1122ull),
    OK("7fffffff", 0x7fffffff), OK("1`80000000", 0x180000000ull),
    OK("0n4294967295", ~0ull), OK("0x0`FFFFFFFF & 80000000", 0x80000000ull),
    OK("fffffa804b729790 + 0xa0", 0xfffffa804b729830ull), OK("80000000 + 1", 0xffffffff80000001ull),
    OK("$bug_code", 0x20), OK("$bug_param1", 0xfffffa80deadbeefull),
};

TEST(expr_kernel_sign_extension)
{
    fixture fx;
    fixture_open(&fx, KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64);
    run_cases(t, fx.s, kernel_cases, KDX_ARRAY_LEN(kernel_cases));
    fixture_close(&fx);
}

static const expr_case target_cases[] = {
    OK("@rax", 0x1234), OK("rax", 0x1234), OK("RAX", 0x1234), OK("@eax", 0x1234), OK("al", 0x34),
    OK("@ah", 0x12), OK("rax+1", 0x1235), OK("@rip", 0x7ff612340000ull), OK("$ip", 0x7ff612340000ull),
    OK("@$ip", 0x7ff612340000ull), OK(".", 0x7ff612340000ull), OK("$scopeip", 0x7ff612340000ull), OK(". + 10", 0x7ff612340010ull), OK("$csp", 0x100000), OK("$retreg", 0x1234),
    OK("poi(1000)", 0x1122334455667788ull), OK("poi 1000", 0x1122334455667788ull),
    OK("qwo(1000)", 0x1122334455667788ull), OK("dwo(1000)", 0x55667788), OK("dwo(1004)", 0x11223344),
    OK("wo(1000)", 0x7788), OK("by(1000)", 0x88), OK("by(1007)", 0x11), OK("poi(1008)", 0x1000),
    OK("poi(poi(1008))", 0x1122334455667788ull), OK("poi(1000+8)+1", 0x1001),
    OK("hi(dwo(1000))", 0x5566), OK("low(dwo(1000))", 0x7788), OK("-by(1000)", (uint64_t)-0x88),
    OK("$vvalid(1000, 10)", 1), OK("$vvalid(1ff8, 10)", 0), OK("$vvalid(5000, 1)", 0),
    OK("$vvalid(1000, 1000)", 1), OK("$scmp(\"abc\", \"abd\")", (uint64_t)-1),
    OK("$scmp(\"b\", \"a\")", 1), OK("$scmp(\"a\", \"a\")", 0), OK("$sicmp(\"ABC\", \"abc\")", 0),
    OK("$scmp(\"ABC\", \"abc\")", (uint64_t)-1), OK("$spat(\"hello world\", \"hel*\")", 1),
    OK("$spat(\"hello\", \"x*\")", 0), OK("$spat(\"hello\", \"h?llo\")", 1),
    OK("$iment(10000)", 0x11230), OK("$iment(mymod)", 0x11230), OK("mymod", 0x10000),
    OK("mymod+10", 0x10010), OK("$teb", 0x3000), OK("$thread", 0x3000), OK("$peb", 0x4000),
    OK("$proc", 0x4000), OK("$tid", 0x1a2c),
    ERR("poi(5000)", "Memory access error at ')'"), ERR("dwo(1ffe)", "Memory access error at ')'"),
    ERR("poi 5000", "Memory access error at ''"), ERR("$iment(20000)", "Couldn't resolve error at '$iment'"),
    ERR("@r99", "Bad register error at '@r99'"), ERR("@rbx", "Bad register error at '@rbx'"),
    ERR("mymod!nosuch", "Couldn't resolve error at 'mymod!nosuch'"),
    ERR("$ra", "Bad register error at '$ra'"),
};

TEST(expr_registers_memory_functions)
{
    fixture fx;
    fixture_open(&fx, KDX_TARGET_USER_DUMP, KDX_ARCH_X64);
    run_cases(t, fx.s, target_cases, KDX_ARRAY_LEN(target_cases));
    fixture_close(&fx);
}

TEST(expr_x86_registers_sign_extend)
{
    fixture fx;
    fixture_open(&fx, KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X86);
    uint64_t v;
    kdx_err err;
    /* "A 32-bit register is sign extended in both modes." */
    CHECK_OK(kdx_expr_eval_all(fx.s, "eax", &v, &err));
    CHECK_EQ(v, 0xffffffff80000000ull);
    CHECK_OK(kdx_expr_eval_all(fx.s, "@eip", &v, &err));
    CHECK_EQ(v, 0xffffffff8054099eull);
    CHECK_OK(kdx_expr_eval_all(fx.s, "$ptrsize", &v, &err));
    CHECK_EQ(v, 4);
    /* Kernel pointers read by poi are sign extended like constants; dwo is not. */
    fake_page *pg = fake_add_page(fx.f, 0x7000);
    pg->bytes[0] = 0x9e, pg->bytes[1] = 0x09, pg->bytes[2] = 0x54, pg->bytes[3] = 0x80;
    CHECK_OK(kdx_expr_eval_all(fx.s, "poi(7000)", &v, &err));
    CHECK_EQ(v, 0xffffffff8054099eull);
    CHECK_OK(kdx_expr_eval_all(fx.s, "poi(7000) == 8054099e", &v, &err));
    CHECK_EQ(v, 1);
    CHECK_OK(kdx_expr_eval_all(fx.s, "dwo(7000)", &v, &err));
    CHECK_EQ(v, 0x8054099e);
    fixture_close(&fx);
}

TEST(expr_reference_article_x86)
{
    /* Understanding !PTE part 2 (x86 PAE kernel), as quoted in reference/README.md. */
    fixture fx;
    fixture_open(&fx, KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X86);
    const char *out = fixture_run(&fx, "? (004009e3 & 0y11111111111000000000000000000000) + "
                                       "(8054099e & 0y00000000000111111111111111111111)");
    CHECK_STR(out, "Evaluate expression: 5507486 = 0054099e\n");
    out = fixture_run(&fx, ".formats 8054099e");
    CHECK_CONTAINS(out, "  Binary:  10000000 01010100 00001001 10011110\n");
    CHECK_CONTAINS(out, "  Hex:     8054099e\n");
    out = fixture_run(&fx, ".formats 0y00000000010101000000100110011110");
    CHECK_CONTAINS(out, "  Hex:     0054099e\n");
    out = fixture_run(&fx, ".formats (00000000`004009e3 & 0x0000000FFF)");
    CHECK_CONTAINS(out, "  Binary:  00000000 00000000 00001001 11100011\n");
    out = fixture_run(&fx, ".formats (004009e3 & 0y11111111111000000000000000000000)");
    CHECK_CONTAINS(out, "  Binary:  00000000 01000000 00000000 00000000\n");
    out = fixture_run(&fx, "? 8054099e");
    /* 0x8054099e - 2^32 = 2152991134 - 4294967296 */
    CHECK_STR(out, "Evaluate expression: -2141976162 = 8054099e\n");
    fixture_close(&fx);
}

TEST(expr_reference_article_x64)
{
    /* No target: kdx assumes a 64-bit one. */
    char *out = kdx_test_run(NULL, NULL, "? fffffa804b729790 + 0xa0", NULL);
    CHECK_STR(out, "Evaluate expression: -6046048151504 = fffffa80`4b729830\n");
    free(out);
    fixture fx;
    fixture_open(&fx, KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64);
    CHECK_STR(fixture_run(&fx, "? fffffa804b729790 + 0xa0"),
              "Evaluate expression: -6046048151504 = fffffa80`4b729830\n");
    fixture_close(&fx);
}

TEST(expr_formats_documented_example)
{
    /* The .formats page's example, a 32-bit value; Time is printed in UTC
     * here (the page shows its author's local time). */
    fixture fx;
    fixture_open(&fx, KDX_TARGET_USER_DUMP, KDX_ARCH_X86);
    const char *out = fixture_run(&fx, ".formats 1c407e62");
    CHECK_STR(out, "Evaluate expression:\n"
                   "  Hex:     1c407e62\n"
                   "  Decimal: 473988706\n"
                   "  Decimal (unsigned) : 473988706\n"
                   "  Octal:   03420077142\n"
                   "  Binary:  00011100 01000000 01111110 01100010\n"
                   "  Chars:   .@~b\n"
                   "  Time:    Mon Jan  7 23:31:46 1985\n"
                   "  Float:   low 6.36908e-022 high 0\n"
                   "  Double:  2.34182e-315\n");
    fixture_close(&fx);
}

TEST(expr_formats_64bit)
{
    char *out = kdx_test_run(NULL, NULL, ".formats 01010101`01010101", NULL);
    /* 0x0101010101010101 = 72340172838076673; octal of 0x01 bytes. */
    CHECK_CONTAINS(out, "  Hex:     01010101`01010101\n");
    CHECK_CONTAINS(out, "  Decimal: 72340172838076673\n");
    CHECK_CONTAINS(out, "  Octal:   0004010020040100200401\n");
    CHECK_CONTAINS(out, "  Binary:  00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001\n");
    CHECK_CONTAINS(out, "  Chars:   ........\n");
    CHECK_CONTAINS(out, "  Float:   low 2.36943e-038 high 2.36943e-038\n");
    CHECK_CONTAINS(out, "  Double:  7.7486e-304\n");
    free(out);
    out = kdx_test_run(NULL, NULL, ".formats -1", NULL);
    CHECK_CONTAINS(out, "  Decimal: -1\n");
    CHECK_CONTAINS(out, "  Decimal (unsigned) : 18446744073709551615\n");
    CHECK_CONTAINS(out, "  Octal:   1777777777777777777777\n");
    CHECK_CONTAINS(out, "  Time:    ***** Invalid FILETIME\n");
    free(out);
    /* 116444736000000000 is the FILETIME of 1970-01-01 00:00 UTC. */
    out = kdx_test_run(NULL, NULL, ".formats 0n116444736000000000", NULL);
    CHECK_CONTAINS(out, "  Time:    Thu Jan  1 00:00:00.000 1970 (UTC + 0:00)\n");
    free(out);
}

TEST(expr_commands_radix_and_syntax)
{
    char *out = kdx_test_run(NULL, NULL, "n; n 10; ? 10; n 8; ? 10; n 16; ? 10; n 7", NULL);
    CHECK_CONTAINS(out, "base is 16\nbase is 10\nEvaluate expression: 10 = 00000000`0000000a\n"
                        "base is 8\nEvaluate expression: 8 = 00000000`00000008\n"
                        "base is 16\nEvaluate expression: 16 = 00000000`00000010\n");
    CHECK_CONTAINS(out, "Radix must be 8, 10 or 16");
    free(out);
    out = kdx_test_run(NULL, NULL, ".expr; .expr /s c++; .expr /s masm; .expr /q", NULL);
    CHECK_CONTAINS(out, "Current expression evaluator: MASM - Microsoft Assembler expressions\n"
                        "Current expression evaluator: C++ - C++ source expressions\n"
                        "Current expression evaluator: MASM - Microsoft Assembler expressions\n"
                        "Available expression evaluators:\n");
    free(out);
    out = kdx_test_run(NULL, NULL, "? 1/0; ? foo; ? 2", NULL);
    CHECK_STR(out, "Divide by zero error at ''\nCouldn't resolve error at 'foo'\n"
                   "Evaluate expression: 2 = 00000000`00000002\n");
    free(out);
}

TEST(expr_set_pseudo_and_end)
{
    kdx_session *s = kdx_session_new(stdout);
    kdx_err err;
    CHECK_OK(kdx_expr_set_pseudo(s, "$t0", 0x1234, &err));
    CHECK_OK(kdx_expr_set_pseudo(s, "@$t19", 5, &err));
    CHECK(kdx_expr_set_pseudo(s, "$t20", 5, &err) == KDX_E_ARG);
    CHECK(kdx_expr_set_pseudo(s, "$ip", 5, &err) == KDX_E_ARG);
    uint64_t v;
    CHECK_OK(kdx_expr_eval_all(s, "$t0 + @$t19", &v, &err));
    CHECK_EQ(v, 0x1239);
    /* A command's operands continue after the expression. */
    const char *end;
    CHECK_OK(kdx_expr_eval(s, "1000+10 L20", &v, &end, &err));
    CHECK_EQ(v, 0x1010);
    CHECK_STR(end, " L20");
    CHECK_OK(kdx_expr_eval(s, "fffff880`0496e3aa l1", &v, &end, &err));
    CHECK_EQ(v, 0xfffff8800496e3aaull);
    CHECK_STR(end, " l1");
    CHECK_OK(kdx_expr_eval(s, "1000 2000", &v, &end, &err));
    CHECK_STR(end, " 2000");
    kdx_session_free(s);
}

TEST(expr_depth_limit)
{
    kdx_session *s = kdx_session_new(stdout);
    char buf[4096];
    memset(buf, '(', 3000);
    buf[3000] = '1';
    buf[3001] = '\0';
    uint64_t v;
    kdx_err err;
    CHECK(kdx_expr_eval_all(s, buf, &v, &err) == KDX_E_LIMIT);
    memset(buf, '-', 3000);
    CHECK(kdx_expr_eval_all(s, buf, &v, &err) == KDX_E_LIMIT);
    kdx_session_free(s);
}

/* ---- C++ evaluator ---- */

/* A tiny type universe served by a fake symbol provider for module "nt". */
static kdx_type ty_u1 = {.kind = KDX_TYPE_BASE, .size = 1, .base = KDX_BASE_UCHAR};
static kdx_type ty_u4 = {.kind = KDX_TYPE_BASE, .size = 4, .base = KDX_BASE_UINT4};
static kdx_type ty_i4 = {.kind = KDX_TYPE_BASE, .size = 4, .base = KDX_BASE_INT4};
static kdx_type ty_u8 = {.kind = KDX_TYPE_BASE, .size = 8, .base = KDX_BASE_UINT8};
static kdx_type ty_list;
static kdx_type ty_plist = {.kind = KDX_TYPE_POINTER, .size = 8, .target = &ty_list};
static kdx_field list_fields[] = {{"Flink", 0, &ty_plist}, {"Blink", 8, &ty_plist}};
static kdx_type ty_list = {.kind = KDX_TYPE_STRUCT, .name = "_LIST_ENTRY", .size = 16,
                           .complete = true, .fields = list_fields, .nfields = 2};
static kdx_type ty_bits = {.kind = KDX_TYPE_BITFIELD, .size = 4, .target = &ty_u4, .bit_pos = 3,
                           .bit_len = 2};
static kdx_type ty_name = {.kind = KDX_TYPE_ARRAY, .size = 4, .target = &ty_u1, .count = 4};
static kdx_enumerator mode_values[] = {{"KernelMode", 0}, {"UserMode", 1}};
static kdx_type ty_mode = {.kind = KDX_TYPE_ENUM, .name = "_MODE", .size = 4, .target = &ty_i4,
                           .complete = true, .enumerators = mode_values, .nenumerators = 2};
static kdx_type ty_thread;
static kdx_type ty_pthread = {.kind = KDX_TYPE_POINTER, .size = 8, .target = &ty_thread};
static kdx_field thread_fields[] = {
    {"Header", 0, &ty_u8},   {"ListEntry", 8, &ty_list}, {"Flags", 0x18, &ty_u4},
    {"Bits", 0x1c, &ty_bits}, {"Priority", 0x20, &ty_i4}, {"Name", 0x24, &ty_name},
    {"Self", 0x28, &ty_pthread}, {"Mode", 0x30, &ty_mode}};
static kdx_type ty_thread = {.kind = KDX_TYPE_STRUCT, .name = "_KTHREAD", .size = 0x38,
                             .complete = true, .fields = thread_fields, .nfields = 8};

static const kdx_type *fake_find_type(void *impl, const char *name)
{
    (void)impl;
    const kdx_type *all[] = {&ty_thread, &ty_list, &ty_mode};
    for (size_t i = 0; i < KDX_ARRAY_LEN(all); i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    return NULL;
}

static kdx_status fake_by_name(void *impl, const char *name, kdx_symbol *out)
{
    (void)impl;
    memset(out, 0, sizeof *out);
    if (!strcmp(name, "gThread")) {
        *out = (kdx_symbol){.name = "gThread", .rva = 0x10, .size = 8, .kind = KDX_SYM_DATA, .type = &ty_pthread};
        return KDX_OK;
    }
    if (!strcmp(name, "KiFunc")) {
        *out = (kdx_symbol){.name = "KiFunc", .rva = 0x20, .kind = KDX_SYM_FUNCTION};
        return KDX_OK;
    }
    return KDX_E_NOT_FOUND;
}

static const kdx_symprov_ops fake_prov = {.find_type = fake_find_type, .by_name = fake_by_name};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A _KTHREAD at 0x6000 and nt!gThread (0x20010) pointing at it. */
static void fixture_add_types(fixture *fx)
{
    kdx_module *nt = kdx_module_new("nt", 0x20000, 0x1000);
    nt->symbols.ops = &fake_prov;
    nt->symstatus = KDX_SYMSTATUS_PRIVATE_PDB;
    kdx_target_add_module(fx->s->target, nt);
    fake_page *pg = fake_add_page(fx->f, 0x6000);
    put64(pg->bytes + 0x00, 0x0000000000600001ull); /* Header */
    put64(pg->bytes + 0x08, 0x6008);                 /* ListEntry.Flink: itself */
    put64(pg->bytes + 0x10, 0x6008);                 /* ListEntry.Blink */
    put32(pg->bytes + 0x18, 0x80000010u);            /* Flags */
    put32(pg->bytes + 0x1c, 0x18);                   /* Bits (3..4) = 0y11 */
    put32(pg->bytes + 0x20, 0xfffffffeu);            /* Priority = -2 */
    memcpy(pg->bytes + 0x24, "Thr", 4);              /* Name */
    put64(pg->bytes + 0x28, 0x6000);                 /* Self */
    put32(pg->bytes + 0x30, 1);                      /* Mode = UserMode */
    pg = fake_add_page(fx->f, 0x20000);
    put64(pg->bytes + 0x10, 0x6000); /* gThread */
}

typedef struct cpp_case {
    const char *text;
    const char *out; /* expected ?? output, or the error message */
} cpp_case;

static const cpp_case cpp_cases[] = {
    /* literals and their types (C rules: decimal int, then int64; hex int, unsigned int...) */
    {"1+2", "int 0n3\n"}, {"10", "int 0n10\n"}, {"0x10", "int 0n16\n"}, {"010", "int 0n8\n"},
    {"1u", "unsigned int 0x1\n"}, {"0xffffffff", "unsigned int 0xffffffff\n"},
    {"4294967295", "int64 0n4294967295\n"}, {"1i64", "int64 0n1\n"},
    {"2ui64", "unsigned int64 0x2\n"}, {"3.5", "double 3.5\n"}, {"2.5f", "float 2.5\n"},
    {"'a'", "char 0n97 'a'\n"}, {"true", "bool true\n"}, {"false", "bool false\n"},
    /* C precedence */
    {"1+2*3", "int 0n7\n"}, {"(1+2)*3", "int 0n9\n"}, {"1<<2+1", "int 0n8\n"},
    {"1 < 2 == 1", "bool true\n"}, {"6 & 3 == 2", "int 0n0\n"}, {"1 | 2 ^ 3", "int 0n1\n"},
    {"1 || 0 && 0", "bool true\n"}, {"0 ? 1 : 2", "int 0n2\n"}, {"7 / 2", "int 0n3\n"},
    {"-7 / 2", "int 0n-3\n"}, {"-7 % 2", "int 0n-1\n"}, {"7 / 2.0", "double 3.5\n"},
    {"-5 >> 1", "int 0n-3\n"}, {"0x80000000 >> 31", "unsigned int 0x1\n"},
    {"0x7fffffff + 1", "int 0n-2147483648\n"}, {"1u - 2", "unsigned int 0xffffffff\n"},
    {"~0", "int 0n-1\n"}, {"!5", "bool false\n"}, {"-(-3)", "int 0n3\n"},
    {"1 != 1", "bool false\n"}, {"2 >= 2", "bool true\n"}, {"0 && 1/0", "bool false\n"},
    {"1 ? 2 : 1/0", "int 0n2\n"},
    /* casts and sizeof */
    {"(char)65", "char 0n65 'A'\n"}, {"(unsigned char)0x141", "unsigned char 0x41 'A'\n"},
    {"(short)0x12345", "short 0n9029\n"}, {"(unsigned short)-1", "unsigned short 0xffff\n"},
    {"(long)-1", "long 0n-1\n"}, {"(unsigned long)-1", "unsigned long 0xffffffff\n"},
    {"(__int64)-1", "int64 0n-1\n"}, {"(unsigned __int64)-1", "unsigned int64 0xffffffff`ffffffff\n"},
    {"(int)3.9", "int 0n3\n"}, {"(double)1", "double 1\n"}, {"(bool)2", "bool true\n"},
    {"(ULONG)-1", "unsigned long 0xffffffff\n"}, {"(PVOID)0x10", "void * 0x00000000`00000010\n"},
    {"(int*)0x1000 + 1", "int * 0x00000000`00001004\n"},
    {"(int*)0x1010 - (int*)0x1000", "int64 0n4\n"}, {"sizeof(int)", "unsigned int64 0x4\n"},
    {"sizeof(char*)", "unsigned int64 0x8\n"}, {"sizeof(unsigned short)", "unsigned int64 0x2\n"},
    {"sizeof 1", "unsigned int64 0x4\n"}, {"sizeof(1/0)", "unsigned int64 0x4\n"},
    /* registers, pseudo-registers, MASM inside C++ */
    {"@rax", "unsigned int64 0x1234\n"}, {"@eax", "unsigned int 0x1234\n"},
    {"@al", "unsigned char 0x34 '4'\n"}, {"@$t0", "unsigned int64 0x0\n"},
    {"@$ptrsize", "unsigned int64 0x8\n"}, {"@$ip", "unsigned char * 0x00007ff6`12340000"},
    {"@$csp", "unsigned char * 0x00000000`00100000"}, {"@@masm(10)", "unsigned int64 0x10\n"},
    {"@@(poi(1008))", "unsigned int64 0x1000\n"}, {"*(unsigned char*)0x1000", "unsigned char 0x88\n"},
    {"*(ULONG64*)0x1000", "unsigned int64 0x11223344`55667788\n"},
    {"((unsigned long*)0x1000)[1]", "unsigned long 0x11223344\n"},
    {"&((unsigned long*)0x1000)[1]", "unsigned long * 0x00000000`00001004\n"},
    /* types from symbols */
    {"sizeof(nt!_KTHREAD)", "unsigned int64 0x38\n"}, {"sizeof(_LIST_ENTRY)", "unsigned int64 0x10\n"},
    {"#FIELD_OFFSET(nt!_KTHREAD, Priority)", "long 0n32\n"},
    {"#FIELD_OFFSET(_KTHREAD, ListEntry.Blink)", "long 0n16\n"},
    {"#RTL_FIELD_SIZE(nt!_KTHREAD, ListEntry)", "unsigned int64 0x10\n"},
    {"#CONTAINING_RECORD(0x6008, nt!_KTHREAD, ListEntry)", "struct _KTHREAD * 0x00000000`00006000"},
    {"((nt!_KTHREAD*)0x6000)->Priority", "long 0n-2\n"},
    {"((nt!_KTHREAD*)0x6000)->Flags", "unsigned long 0x80000010\n"},
    {"((nt!_KTHREAD*)0x6000)->Bits", "unsigned long 0x3\n"},
    {"((nt!_KTHREAD*)0x6000)->Mode", "_MODE UserMode (0n1)\n"},
    {"((nt!_KTHREAD*)0x6000)->ListEntry.Flink", "struct _LIST_ENTRY * 0x00000000`00006008\n"
                                                "   +0x000 Flink            : 0x00000000`00006008 _LIST_ENTRY\n"
                                                "   +0x008 Blink            : 0x00000000`00006008 _LIST_ENTRY\n"},
    {"((nt!_KTHREAD*)0x6000)->Name[1]", "unsigned char 0x68 'h'\n"},
    {"((nt!_KTHREAD*)0x6000)->Name", "unsigned char [4]  \"Thr\"\n"},
    {"(char*)((nt!_KTHREAD*)0x6000)->Name", "char * 0x00000000`00006024  \"Thr\"\n"},
    {"sizeof(((nt!_KTHREAD*)0x6000)->Name)", "unsigned int64 0x4\n"},
    {"sizeof(nt!KiFunc)", "Type information missing error"},
    {"(*(nt!_KTHREAD*)0x6000).Self->Self->Priority", "long 0n-2\n"},
    {"&((nt!_KTHREAD*)0x6000)->Priority", "long * 0x00000000`00006020\n"},
    {"(nt!_KTHREAD*)0x9000", "struct _KTHREAD * 0x00000000`00009000\n"
                                 "   +0x000 Header           : ??\n"
                                 "   +0x008 ListEntry        : _LIST_ENTRY\n"
                                 "   +0x018 Flags            : ??\n"
                                 "   +0x01c Bits             : ??\n"
                                 "   +0x020 Priority         : ??\n"
                                 "   +0x024 Name             : [4] UChar\n"
                                 "   +0x028 Self             : ??\n"
                                 "   +0x030 Mode             : ??\n"},
    {"nt!gThread->Priority", "long 0n-2\n"}, {"gThread->Flags & 0xff", "unsigned long 0x10\n"},
    {"&nt!KiFunc", "void * 0x00000000`00020020\n"},
    {"*nt!gThread", "struct _KTHREAD\n"
                    "   +0x000 Header           : 0x600001\n"
                    "   +0x008 ListEntry        : _LIST_ENTRY\n"
                    "   +0x018 Flags            : 0x80000010\n"
                    "   +0x01c Bits             : 0y11\n"
                    "   +0x020 Priority         : 0n-2\n"
                    "   +0x024 Name             : [4] UChar\n"
                    "   +0x028 Self             : 0x00000000`00006000 _KTHREAD\n"
                    "   +0x030 Mode             : UserMode (0n1)\n"},
    /* errors */
    {"1 +", "Syntax error at ''"}, {"(1", "Syntax error at ''"}, {"7 % 0", "Divide by zero error at '0'"},
    {"foo", "Couldn't resolve error at 'foo'"}, {"@rbx", "Bad register error at '@rbx'"},
    {"@$nosuch", "Bad register error at '@$nosuch'"}, {"nt!KiFunc + 1", "Type information missing error"},
    {"((nt!_KTHREAD*)0x6000)->NoSuch", "Couldn't resolve error at 'NoSuch'"},
    {"*(int*)0x9000", "Memory access error"}, {"(nt!_KTHREAD*)0x6000 * 2", "Type conflict error"},
    {"(nt!_KTHREAD*)0x6000 + 1", "struct _KTHREAD * 0x00000000`00006038"},
    {"*1", "Type conflict error at '*1'"}, {"1.5 % 2", "Type conflict error"},
    {"sizeof(void)", "Type conflict error"}, {"x++", "Couldn't resolve error at 'x++'"},
    {"0x", "Syntax error at '0x'"}, {"08", "Syntax error at '08'"}, {"&1", "Type conflict error"},
    {"#NOSUCH(1)", "Syntax error at '#NOSUCH(1)'"}, {"#FIELD_OFFSET(int, x)", "Type conflict error"},
};

TEST(expr_cpp_table)
{
    fixture fx;
    fixture_open(&fx, KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64);
    fixture_add_types(&fx);
    for (size_t i = 0; i < KDX_ARRAY_LEN(cpp_cases); i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "?? %s", cpp_cases[i].text);
        const char *out = fixture_run(&fx, cmd);
        if (strncmp(out, cpp_cases[i].out, strlen(cpp_cases[i].out)) != 0 ||
            (strchr(cpp_cases[i].out, '\n') && strcmp(out, cpp_cases[i].out) != 0))
            kdx_test_fail(t, __FILE__, __LINE__, "?? %s:\n  got:  %s  want: %s", cpp_cases[i].text,
                          out, cpp_cases[i].out);
    }
    /* The C++ syntax as the default and @@c++ inside MASM. */
    CHECK_STR(fixture_run(&fx, "? @@c++(((nt!_KTHREAD*)0x6000)->Priority)"),
              "Evaluate expression: -2 = ffffffff`fffffffe\n");
    CHECK_STR(fixture_run(&fx, ".expr /s c++; ? 0x10 + 10; ? @@masm(10) + 1"),
              "Current expression evaluator: C++ - C++ source expressions\n"
              "Evaluate expression: 26 = 00000000`0000001a\n"
              "Evaluate expression: 17 = 00000000`00000011\n");
    fixture_close(&fx);
}

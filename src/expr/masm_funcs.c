/* MASM functions: memory reads for poi/by/wo/dwo/qwo and the $-functions
 * $iment, $scmp, $sicmp, $spat, $vvalid. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "expr/expr_internal.h"
#include "pe/pe.h"
#include "sym/symbols.h"
#include "target/memory.h"

kdx_status kdx_xp_read_mem(kdx_xp *x, uint64_t addr, int size, uint64_t *v)
{
    kdx_target *t = x->s->target;
    bool pointer = size == 0;
    if (size == 0)
        size = kdx_session_ptr_size(x->s);
    if (x->noeval) {
        *v = 0;
        return KDX_OK;
    }
    if (!t)
        return kdx_xp_fail(x, KDX_E_UNSUPPORTED, "Memory access", x->p);
    uint8_t b[8] = {0};
    kdx_err e;
    if (kdx_read_virt(t, addr, b, (size_t)size, NULL, &e) != KDX_OK)
        return kdx_xp_fail(x, KDX_E_MEM_MISSING, "Memory access", x->p);
    uint64_t r = 0;
    for (int i = size - 1; i >= 0; i--)
        r = r << 8 | b[i];
    /* A 32-bit kernel pointer is a sign-extended address, as constants are. */
    if (pointer && size == 4 && kdx_xp_kernel_mode(x->s))
        r = kdx_xp_sign_extend32(r);
    *v = r;
    return KDX_OK;
}

/* A string argument: "quoted" (\" and \\ escapes) or a bare word up to ',' or ')'. */
static char *string_arg(kdx_xp *x)
{
    kdx_xp_skip(x);
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    if (*x->p == '"') {
        x->p++;
        while (*x->p && *x->p != '"') {
            if (*x->p == '\\' && (x->p[1] == '"' || x->p[1] == '\\'))
                x->p++;
            kdx_sb_putc(&sb, *x->p++);
        }
        if (*x->p != '"') {
            kdx_sb_free(&sb);
            kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", x->p);
            return NULL;
        }
        x->p++;
    } else {
        while (*x->p && *x->p != ',' && *x->p != ')' && *x->p != ' ')
            kdx_sb_putc(&sb, *x->p++);
    }
    kdx_sb_putc(&sb, '\0');
    return kdx_sb_take(&sb);
}

static int sign(int c)
{
    return c < 0 ? -1 : c > 0;
}

static kdx_status string_function(kdx_xp *x, int which, uint64_t *v)
{
    char *a = NULL, *b = NULL;
    if (kdx_xp_expect(x, '(') && (a = string_arg(x)) && kdx_xp_expect(x, ',') && (b = string_arg(x)) &&
        kdx_xp_expect(x, ')')) {
        if (which == 2)
            *v = kdx_wildcard_match(b, a) ? 1 : 0;
        else
            *v = (uint64_t)(int64_t)sign(which == 0 ? strcmp(a, b) : kdx_strcasecmp(a, b));
    }
    free(a);
    free(b);
    return x->st;
}

kdx_status kdx_xp_module_entry(kdx_xp *x, kdx_module *m, uint64_t *v, const char *what,
                              size_t len)
{
    /* The image headers mapped at the module's base: e_lfanew, the "PE\0\0"
     * signature, then OptionalHeader.AddressOfEntryPoint (file header + 16). */
    kdx_target *t = x->s->target;
    uint8_t dos[0x40], nt[0x2c];
    kdx_err e;
    if (kdx_read_virt(t, m->base, dos, sizeof dos, NULL, &e) != KDX_OK ||
        kdx_read_virt(t, m->base + (dos[0x3c] | (uint32_t)dos[0x3d] << 8 |
                                    (uint32_t)dos[0x3e] << 16 | (uint32_t)dos[0x3f] << 24),
                      nt, sizeof nt, NULL, &e) != KDX_OK) {
        /* Not in the dump: the image file found through the image/symbol path. */
        struct kdx_pe *pe = NULL;
        kdx_err e2;
        if (kdx_sym_module_image(x->s, m, &pe, &e2) == KDX_OK && pe &&
            kdx_pe_get_info(pe)->entry_rva) {
            *v = m->base + kdx_pe_get_info(pe)->entry_rva;
            return KDX_OK;
        }
        return kdx_xp_failf(x, KDX_E_MEM_MISSING,
                            "Couldn't resolve error at '%.*s': the image headers of %s are not in "
                            "the dump (%s) and %s",
                            (int)len, what, m->name, e.msg, e2.msg);
    }
    if (dos[0] != 'M' || dos[1] != 'Z' || memcmp(nt, "PE\0\0", 4) != 0)
        return kdx_xp_failf(x, KDX_E_FORMAT,
                            "Couldn't resolve error at '%.*s': no PE image header at %s's base",
                            (int)len, what, m->name);
    uint32_t rva = nt[0x28] | (uint32_t)nt[0x29] << 8 | (uint32_t)nt[0x2a] << 16 |
                   (uint32_t)nt[0x2b] << 24;
    if (!rva)
        return kdx_xp_failf(x, KDX_E_NOT_FOUND,
                            "Couldn't resolve error at '%.*s': %s has no entry point", (int)len,
                            what, m->name);
    *v = m->base + rva;
    return KDX_OK;
}

static kdx_status iment(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    uint64_t base;
    if (!kdx_xp_expect(x, '(') || kdx_xp_masm(x, &base) != KDX_OK || !kdx_xp_expect(x, ')'))
        return x->st;
    kdx_target *t = x->s->target;
    kdx_module *m = t ? kdx_target_module_at(t, base) : NULL;
    if (!m || m->base != base)
        return kdx_xp_failf(x, KDX_E_NOT_FOUND,
                            "Couldn't resolve error at '%.*s': no module is loaded at %llx",
                            (int)len, name, (unsigned long long)base);
    return kdx_xp_module_entry(x, m, v, name, len);
}

/* $vvalid(Address, Length): 1 when every byte of the range can be read. */
static kdx_status vvalid(kdx_xp *x, uint64_t *v)
{
    uint64_t addr, n;
    if (!kdx_xp_expect(x, '(') || kdx_xp_masm(x, &addr) != KDX_OK || !kdx_xp_expect(x, ',') ||
        kdx_xp_masm(x, &n) != KDX_OK || !kdx_xp_expect(x, ')'))
        return x->st;
    kdx_target *t = x->s->target;
    *v = t != NULL;
    uint8_t buf[4096];
    while (*v && n) {
        size_t chunk = n < sizeof buf ? (size_t)n : sizeof buf;
        if (kdx_read_virt(t, addr, buf, chunk, NULL, NULL) != KDX_OK)
            *v = 0;
        addr += chunk;
        n -= chunk;
    }
    return KDX_OK;
}

static bool is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && kdx_strncasecmp(name, want, len) == 0;
}

kdx_status kdx_xp_masm_function(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    if (is(name, len, "$scmp"))
        return string_function(x, 0, v);
    if (is(name, len, "$sicmp"))
        return string_function(x, 1, v);
    if (is(name, len, "$spat"))
        return string_function(x, 2, v);
    if (is(name, len, "$iment"))
        return iment(x, name, len, v);
    if (is(name, len, "$vvalid"))
        return vvalid(x, v);
    return KDX_E_NOT_FOUND;
}

/* capstone on first use (base/lazylib.h): loaded when something is first
 * disassembled. The soname follows the headers kdx was built with. */
#include "disasm/disasm.h"

#ifndef KDX_NO_LAZY_LIBS
#include <capstone/capstone.h>

#include "base/lazylib.h"

static kdx_lazylib cs_lib = KDX_LAZYLIB_INIT("libcapstone.so." KDX_STR(CS_API_MAJOR));

enum { F_OPEN, F_OPTION, F_DISASM, F_FREE, F_REG_NAME, F_COUNT };
static const char *const names[F_COUNT] = {"cs_open", "cs_option", "cs_disasm", "cs_free",
                                           "cs_reg_name"};
static void (*fns[F_COUNT])(void);

static bool loaded(void)
{
    return kdx_lazylib_load(&cs_lib, names, fns, F_COUNT);
}

const char *kdx_disasm_unavailable(void)
{
    return loaded() ? NULL : kdx_lazylib_why(&cs_lib);
}

cs_err cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
    return loaded() ? ((cs_err(*)(cs_arch, cs_mode, csh *))fns[F_OPEN])(arch, mode, handle) : CS_ERR_MEM;
}

cs_err cs_option(csh h, cs_opt_type type, size_t value)
{
    return loaded() ? ((cs_err(*)(csh, cs_opt_type, size_t))fns[F_OPTION])(h, type, value) : CS_ERR_HANDLE;
}

size_t cs_disasm(csh h, const uint8_t *code, size_t size, uint64_t address, size_t count, cs_insn **insn)
{
    if (!loaded())
        return 0;
    return ((size_t(*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))fns[F_DISASM])(
        h, code, size, address, count, insn);
}

void cs_free(cs_insn *insn, size_t count)
{
    if (loaded())
        ((void (*)(cs_insn *, size_t))fns[F_FREE])(insn, count);
}

const char *cs_reg_name(csh h, unsigned int reg)
{
    return loaded() ? ((const char *(*)(csh, unsigned))fns[F_REG_NAME])(h, reg) : NULL;
}

#else
const char *kdx_disasm_unavailable(void)
{
    return NULL;
}
#endif

/* Symbol classification: code, data or unknown (see symclass.h). */
#include "sym/symclass.h"

#include <string.h>

#include "base/util.h"

/* MSVC special names that are data: string literals, virtual-function and
 * virtual-base tables, local vftables, the RTTI records. */
static const char *const data_prefixes[] = {"??_C@", "??_7", "??_8", "??_S", "??_R", "__imp_"};
/* The same as DIA/undname spell them. */
static const char *const data_words[] = {"`string'", "`vftable'", "`vbtable'", "`local vftable'",
                                         "`RTTI "};

/* "?Name@Scope@@3HA": after the name's scope list ("@@") a storage-class
 * digit marks a variable (0-4) or a vftable/vbtable (6, 7); functions have
 * letters there. Template names ("?$") nest "@@" and are left alone. */
static bool decorated_variable(const char *name)
{
    if (name[0] != '?' || name[1] == '?' || strstr(name, "?$"))
        return false;
    const char *end = strstr(name, "@@");
    if (!end)
        return false;
    char c = end[2];
    return (c >= '0' && c <= '4') || c == '6' || c == '7';
}

bool kdx_symname_is_data(const char *name)
{
    if (!name)
        return false;
    for (size_t i = 0; i < KDX_ARRAY_LEN(data_prefixes); i++)
        if (kdx_starts_with(name, data_prefixes[i]))
            return true;
    for (size_t i = 0; i < KDX_ARRAY_LEN(data_words); i++)
        if (strstr(name, data_words[i]))
            return true;
    return decorated_variable(name);
}

uint8_t kdx_symbol_class(const kdx_symbol *s)
{
    if (s->flags & (KDX_SYMF_CODE | KDX_SYMF_DATA))
        return s->flags & KDX_SYMF_CODE ? KDX_SYMF_CODE : KDX_SYMF_DATA;
    switch (s->kind) {
    case KDX_SYM_FUNCTION:
    case KDX_SYM_LABEL: return KDX_SYMF_CODE;
    case KDX_SYM_DATA: return KDX_SYMF_DATA;
    default: return kdx_symname_is_data(s->name) ? KDX_SYMF_DATA : 0;
    }
}

/* Lookups in the generated I/O name tables (io_names.h). */
#include "nt/io_names.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *kdx_io_name_of(const kdx_io_name *table, uint32_t value)
{
    for (const kdx_io_name *e = table; e->name; e++)
        if (e->value == value)
            return e->name;
    return NULL;
}

bool kdx_io_value_of(const kdx_io_name *table, const char *name, uint32_t *value)
{
    for (const kdx_io_name *e = table; e->name; e++)
        if (!strcmp(e->name, name)) {
            *value = e->value;
            return true;
        }
    return false;
}

const char *kdx_io_major_name(unsigned major)
{
    return kdx_io_name_of(kdx_io_major, major);
}

const char *kdx_io_minor_name(unsigned major, unsigned minor)
{
    uint32_t pnp = 0, power = 0, wmi = 0;
    bool has_pnp = kdx_io_value_of(kdx_io_major, "IRP_MJ_PNP", &pnp);
    bool has_power = kdx_io_value_of(kdx_io_major, "IRP_MJ_POWER", &power);
    bool has_wmi = kdx_io_value_of(kdx_io_major, "IRP_MJ_SYSTEM_CONTROL", &wmi);
    if (has_pnp && major == pnp)
        return kdx_io_name_of(kdx_io_minor_pnp, minor);
    if (has_power && major == power)
        return kdx_io_name_of(kdx_io_minor_power, minor);
    if (has_wmi && major == wmi)
        return kdx_io_name_of(kdx_io_minor_wmi, minor);
    return NULL;
}

char *kdx_io_flag_names(const kdx_io_name *table, uint64_t flags, const char *sep, char *buf, size_t cap)
{
    size_t len = 0;
    uint64_t rest = flags;
    if (cap)
        buf[0] = '\0';
    for (const kdx_io_name *e = table; e->name && cap; e++) {
        if (!e->value || (flags & e->value) != e->value || !(rest & e->value))
            continue;
        rest &= ~(uint64_t)e->value;
        int n = snprintf(buf + len, cap - len, "%s%s", len ? sep : "", e->name);
        if (n < 0 || (size_t)n >= cap - len)
            return buf;
        len += (size_t)n;
    }
    if (rest && cap > len)
        snprintf(buf + len, cap - len, "%s0x%" PRIx64, len ? sep : "", rest);
    return buf;
}

uint32_t kdx_io_type_code(const char *name)
{
    uint32_t v = 0;
    kdx_io_value_of(kdx_io_object_types, name, &v);
    return v;
}

/* Names of the I/O manager's codes and flags, generated at build time from
 * mingw-w64's DDK header wdm.h (src/nt/gen_io_names.awk, src/nt/io.mk):
 * IRP_MJ_ and IRP_MN_ function codes, IRP.Flags, DEVICE_OBJECT.Flags,
 * Characteristics and DeviceType, IO_STACK_LOCATION.Control, and the Type
 * values I/O structures start with. Each table ends with {0, NULL}. */
#ifndef KDX_NT_IO_NAMES_H
#define KDX_NT_IO_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct kdx_io_name {
    uint32_t value;
    const char *name;
} kdx_io_name;

extern const kdx_io_name kdx_io_major[], kdx_io_minor_pnp[], kdx_io_minor_power[], kdx_io_minor_wmi[];
extern const kdx_io_name kdx_io_irp_flags[], kdx_io_do_flags[], kdx_io_characteristics[];
extern const kdx_io_name kdx_io_device_types[], kdx_io_sl_control[], kdx_io_object_types[];

/* The name of value in table, NULL when the header has none. */
const char *kdx_io_name_of(const kdx_io_name *table, uint32_t value);
/* The value of name in table; false when absent. */
_Bool kdx_io_value_of(const kdx_io_name *table, const char *name, uint32_t *value);
/* "IRP_MJ_READ"; NULL for codes the header does not name. */
const char *kdx_io_major_name(unsigned major);
/* The minor name for majors whose minors the header names (PnP, power,
 * WMI); NULL otherwise. */
const char *kdx_io_minor_name(unsigned major, unsigned minor);
/* Names of the bits of flags in table, joined by sep; bits the table does
 * not name are added as one hexadecimal value. Returns buf. */
char *kdx_io_flag_names(const kdx_io_name *table, uint64_t flags, const char *sep, char *buf, size_t cap);
/* IO_TYPE_IRP & co. from the header (0 when absent, which the build prevents). */
uint32_t kdx_io_type_code(const char *name);

#endif

#include "pdb/pdb.h"
kdx_status kdx_pdb_types_open(kdx_pdb *pdb, kdx_err *err) { (void)pdb; (void)err; return KDX_E_UNSUPPORTED; }
void kdx_pdb_types_free(kdx_pdb_types *tp) { (void)tp; }
const kdx_type *kdx_pdb_type_by_index(kdx_pdb *pdb, uint32_t ti) { (void)pdb; (void)ti; return NULL; }
const kdx_type *kdx_pdb_type_by_name(kdx_pdb *pdb, const char *name) { (void)pdb; (void)name; return NULL; }
kdx_status kdx_pdb_each_type(kdx_pdb *pdb, const char *pattern, kdx_type_cb cb, void *ud) { (void)pdb; (void)pattern; (void)cb; (void)ud; return KDX_E_UNSUPPORTED; }
char *kdx_pdb_proc_signature(kdx_pdb *pdb, uint32_t ti, const char *name, bool is_static) { (void)pdb; (void)ti; (void)name; (void)is_static; return NULL; }

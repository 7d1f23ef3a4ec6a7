#include "pdb/pdb.h"
kdx_status kdx_pdb_frame_data(kdx_pdb *pdb, uint32_t rva, kdx_frame_data *out, kdx_err *err) { (void)pdb; (void)rva; (void)out; (void)err; return KDX_E_NOT_FOUND; }

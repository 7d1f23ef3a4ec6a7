#include "pdb/pdb.h"
char *kdx_undname(const char *name, bool with_args) { (void)name; (void)with_args; return NULL; }

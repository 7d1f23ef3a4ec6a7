/* CodeView record kinds used by the PDB reader (symbols, types, C13 lines). */
#ifndef KDX_PDB_CV_H
#define KDX_PDB_CV_H

#include <stdbool.h>
#include <stdint.h>

/* Symbol records */
enum {
    S_END = 0x0006,
    S_THUNK32 = 0x1102,
    S_BLOCK32 = 0x1103,
    S_LABEL32 = 0x1105,
    S_CONSTANT = 0x1107,
    S_UDT = 0x1108,
    S_LDATA32 = 0x110c,
    S_GDATA32 = 0x110d,
    S_PUB32 = 0x110e,
    S_LPROC32 = 0x110f,
    S_GPROC32 = 0x1110,
    S_LTHREAD32 = 0x1112,
    S_GTHREAD32 = 0x1113,
    S_PROCREF = 0x1125,
    S_DATAREF = 0x1126,
    S_LPROCREF = 0x1127,
    S_LPROC32_ID = 0x1146,
    S_GPROC32_ID = 0x1147,
};

/* C13 debug subsections */
enum { DEBUG_S_LINES = 0xf2, DEBUG_S_FILECHKSMS = 0xf4, DEBUG_S_FRAMEDATA = 0xf5 };

/* Type leaves */
enum {
    LF_MODIFIER = 0x1001,
    LF_POINTER = 0x1002,
    LF_PROCEDURE = 0x1008,
    LF_MFUNCTION = 0x1009,
    LF_ARGLIST = 0x1201,
    LF_FIELDLIST = 0x1203,
    LF_BITFIELD = 0x1205,
    LF_BCLASS = 0x1400,
    LF_VBCLASS = 0x1401,
    LF_IVBCLASS = 0x1402,
    LF_INDEX = 0x1404,
    LF_VFUNCTAB = 0x1409,
    LF_ENUMERATE = 0x1502,
    LF_ARRAY = 0x1503,
    LF_CLASS = 0x1504,
    LF_STRUCTURE = 0x1505,
    LF_UNION = 0x1506,
    LF_ENUM = 0x1507,
    LF_MEMBER = 0x150d,
    LF_STMEMBER = 0x150e,
    LF_METHOD = 0x150f,
    LF_NESTTYPE = 0x1510,
    LF_ONEMETHOD = 0x1511,
    LF_INTERFACE = 0x1519,
    /* newer MSVC (32-bit properties) */
    LF_CLASS2 = 0x1608,
    LF_STRUCTURE2 = 0x1609,
    LF_UNION2 = 0x160a,
    LF_INTERFACE2 = 0x160b,
};

bool kdx_pdb_is_proc(uint16_t kind);

#endif

/* Which symbol names are data whatever their provider says (sym/symclass.c). */
#include "sym/symclass.h"
#include "tests/test.h"

TEST(symclass_data_names_decorated_and_undecorated)
{
    static const char *const data[] = {
        "??_C@_1DO@NJNPPJHL@?$AAK?$AAe?$AAr?$AAn?$AAe?$AAl@FNODOBFM@", /* string literal */
        "??_7CFoo@@6B@",                                          /* vftable */
        "??_8CFoo@@7B@",                                          /* vbtable */
        "??_R0?AVCFoo@@@8",                                       /* RTTI type descriptor */
        "__imp_ExAllocatePoolWithTag",                            /* import slot (x64) */
        "__imp__ExAllocatePoolWithTag@12",                        /* import slot (x86) */
        "?KiProcessorBlock@@3PAPEAU_KPRCB@@A",                    /* decorated variable */
        "`string'",
        " ?? ::FNODOBFM::`string'",
        "CFoo::`vftable'",
        "CFoo::`RTTI Type Descriptor'",
    };
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
        if (!kdx_symname_is_data(data[i]))
            kdx_test_fail(t, __FILE__, __LINE__, "%s should be data", data[i]);
    static const char *const code[] = {
        "KeBugCheckEx", "?Foo@@YAXXZ", "?meth1@A@@QAEXXZ", "??0CFoo@@QEAA@XZ", "memset",
        "?Get@?$Holder@H@@QEAAHXZ", "_imp_like_name", "PspSystemThreadStartup$filt$0",
    };
    for (size_t i = 0; i < sizeof code / sizeof code[0]; i++)
        if (kdx_symname_is_data(code[i]))
            kdx_test_fail(t, __FILE__, __LINE__, "%s should not be data", code[i]);
}

TEST(symclass_provider_flags_then_kind_then_name)
{
    kdx_symbol s = {.name = "??_C@_03JIHJHPIE@Jan?$AA@", .kind = KDX_SYM_PUBLIC};
    CHECK_EQ(kdx_symbol_class(&s), KDX_SYMF_DATA);
    s.flags = KDX_SYMF_CODE; /* the provider knows better than the name */
    CHECK_EQ(kdx_symbol_class(&s), KDX_SYMF_CODE);
    kdx_symbol f = {.name = "anything", .kind = KDX_SYM_FUNCTION};
    CHECK_EQ(kdx_symbol_class(&f), KDX_SYMF_CODE);
    kdx_symbol d = {.name = "g", .kind = KDX_SYM_DATA};
    CHECK_EQ(kdx_symbol_class(&d), KDX_SYMF_DATA);
    kdx_symbol u = {.name = "KeBugCheckEx", .kind = KDX_SYM_PUBLIC};
    CHECK_EQ(kdx_symbol_class(&u), 0);
}

/* libFuzzer target: the kernel dump reader (PAGEDU64/PAGEDUMP headers, run
 * tables, bitmaps, triage blocks, KDBG, driver lists, contexts). Opens the
 * input from memory and touches everything a session would. */
#include <stddef.h>
#include <stdint.h>

#include "dump/kdump.h"
#include "target/memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kdx_file *f;
    kdx_err err;
    if (kdx_file_from_memory(&f, "fuzz.dmp", data, size, &err) != KDX_OK)
        return 0;
    kdx_target *t;
    if (kdx_kdump_open_file(f, &t, &err) != KDX_OK)
        return 0;
    uint8_t buf[256];
    uint64_t probes[] = {t->kernel.ps_loaded_module_list, t->kernel.kdbg_addr, t->kernel.kernel_base,
                         t->exception.address, t->exception.record_addr};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        kdx_read_virt(t, probes[i], buf, sizeof buf, NULL, NULL);
    kdx_read_phys(t, t->kernel_dtb, buf, sizeof buf, NULL, NULL);
    for (unsigned i = 0; i < t->ncontexts && i < 8; i++) {
        kdx_context c;
        kdx_thread_info ti;
        if (t->ops->get_context(t->impl, i, &c, NULL) == KDX_OK)
            kdx_read_virt(t, kdx_ctx_sp(&c), buf, sizeof buf, NULL, NULL);
        t->ops->get_thread_info(t->impl, i, &ti, NULL);
    }
    if (t->ops->phys_page)
        for (uint64_t pfn = 0; pfn < 64; pfn++)
            t->ops->phys_page(t->impl, pfn);
    kdx_target_close(t);
    return 0;
}

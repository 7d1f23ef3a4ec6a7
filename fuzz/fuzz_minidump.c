/* libFuzzer target: the minidump reader (every stream parser), the target
 * operations (contexts, thread facts, memory reads) and the user-mode
 * commands that walk what it parsed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/file.h"
#include "commands/command.h"
#include "dump/minidump.h"
#include "target/memory.h"
#include "target/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null_out;
    if (!null_out)
        null_out = fopen("/dev/null", "w");
    kdx_file *f;
    kdx_err err;
    if (kdx_file_from_memory(&f, "fuzz.dmp", data, size, &err) != KDX_OK)
        return 0;
    kdx_target *t;
    if (kdx_minidump_open_file(f, &t, &err) != KDX_OK)
        return 0;
    for (unsigned i = 0; i < t->ncontexts && i < 64; i++) {
        kdx_context c;
        kdx_thread_info ti;
        (void)t->ops->get_context(t->impl, i, &c, &err);
        (void)kdx_minidump_wow64_context(t, i, &c, &err);
        if (t->ops->get_thread_info(t->impl, i, &ti, &err) == KDX_OK) {
            uint8_t buf[64];
            size_t done;
            (void)kdx_read_virt(t, ti.teb, buf, sizeof buf, &done, &err);
            (void)kdx_read_virt(t, ti.stack_limit, buf, sizeof buf, &done, &err);
        }
    }
    kdx_session *s = kdx_session_new(null_out);
    s->target = t;
    s->cur_context = t->default_context;
    kdx_execute(s, "~; ~* .echo; |; !mdstreams; !teb; !peb; !gle -all; !handle; !runaway 7; !address; !address 0; .time");
    kdx_session_free(s); /* closes the target */
    return 0;
}

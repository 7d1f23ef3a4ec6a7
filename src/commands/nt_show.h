/* Displays of processes and threads in WinDbg's !process / !thread layout
 * (docs/nt.md cites the transcripts followed), shared by !process,
 * !thread, !for_each_* and the commands that later list threads
 * (!stacks, !locks). Values the dump lacks are never shown as zeros: the
 * field shows "?" and the display ends with a line naming what was missing
 * and why. */
#ifndef KDX_COMMANDS_NT_SHOW_H
#define KDX_COMMANDS_NT_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "nt/field.h"
#include "target/session.h"

/* !process / !thread flag bits. */
enum {
    KDX_SHOW_STATS = 0x1,     /* process: time, priority and memory statistics */
    KDX_SHOW_WAITS = 0x2,     /* threads with their wait states */
    KDX_SHOW_STACKS = 0x4,    /* with 0x2: thread details and stack; without: one line per thread */
    KDX_SHOW_NO_ARGS = 0x8,   /* stacks without "Args to Child" */
    KDX_SHOW_CONTEXT = 0x10   /* the process's page tables for the command's duration */
};

/* Facts shared by every object of one display, read once. */
typedef struct kdx_show {
    kdx_session *s;
    bool globals_read;
    bool have_increment, have_ticks, have_time;
    uint64_t increment;       /* 100 ns per clock tick (nt!KeMaximumIncrement) */
    uint64_t tick_count;      /* KUSER_SHARED_DATA.TickCount */
    uint64_t system_time;     /* the dump's time (FILETIME) */
    kdx_nt_gaps global_gaps;  /* globals the dump lacks */
    bool assumed_frame;       /* some stack used the assumed switch-frame layout */
    bool printed_any;
} kdx_show;

void kdx_show_init(kdx_show *v, kdx_session *s);
/* Prints the notes the display owes (missing globals, inferences) and frees. */
void kdx_show_finish(kdx_show *v);

/* One thread at indent (0 for !thread, 8 inside !process). */
void kdx_show_thread(kdx_show *v, uint64_t thread, unsigned flags, unsigned indent);
/* One process; with thread bits in flags, its threads after it. */
void kdx_show_process(kdx_show *v, uint64_t process, unsigned flags);
/* The stack of thread, as kn shows it, at indent. */
void kdx_show_thread_stack(kdx_show *v, uint64_t thread, bool args, unsigned indent);

#endif

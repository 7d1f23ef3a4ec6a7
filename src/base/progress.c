#include "base/progress.h"

#include <stddef.h>
#include <time.h>

static kdx_progress_fn handler;
static void *handler_ud;
static uint64_t last_ns;

void kdx_progress_set_handler(kdx_progress_fn fn, void *ud)
{
    handler = fn;
    handler_ud = ud;
    last_ns = 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void kdx_progress_report(const char *task, uint64_t done, uint64_t total, const char *unit)
{
    if (!handler)
        return;
    uint64_t t = now_ns();
    /* The last report of a task always goes out, so a display can finish its line. */
    if (!(total && done >= total) && last_ns && t - last_ns < 100000000u)
        return;
    last_ns = t;
    handler(handler_ud, task, done, total, unit);
}

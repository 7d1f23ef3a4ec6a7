#include "base/cancel.h"

#include <stdatomic.h>

/* Lock-free on every platform kdx builds for, hence safe in a signal handler. */
static atomic_int pending;

void kdx_interrupt_request(void)
{
    atomic_fetch_add(&pending, 1);
}

bool kdx_interrupted(void)
{
    return atomic_load(&pending) != 0;
}

void kdx_interrupt_clear(void)
{
    atomic_store(&pending, 0);
}

int kdx_interrupt_count(void)
{
    return atomic_load(&pending);
}

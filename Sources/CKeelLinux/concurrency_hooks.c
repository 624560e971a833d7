#include "CKeelConcurrencyHooks.h"

// Weak: a runtime without the hook leaves its address NULL rather than failing the link.
extern void *swift_task_enqueueGlobal_hook __attribute__((weak));

void **ckeel_swift_enqueue_global_hook(void) { return &swift_task_enqueueGlobal_hook; }

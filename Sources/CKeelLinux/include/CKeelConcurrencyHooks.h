#ifndef CKEEL_CONCURRENCY_HOOKS_H
#define CKEEL_CONCURRENCY_HOOKS_H

/// Where the Swift concurrency runtime keeps its global-executor hook
/// (`swift_task_enqueueGlobal_hook`: called with each job, and the runtime's own enqueue), or
/// NULL in a runtime without one. Resolved by the linker, so it is found whether the runtime is
/// linked statically (a release build) or dynamically (a debug build), where `dlsym` finds it
/// only in the second case.
void **ckeel_swift_enqueue_global_hook(void);

#endif

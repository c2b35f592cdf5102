#ifndef RINGIO_RUNTIME_H
#define RINGIO_RUNTIME_H

// Swift runtime hooks: the private concurrency entry points RingIO calls (see Sources/RingIO/Runtime).
// With the PublicConcurrencyOnly trait the definitions are left out (RINGIO_PUBLIC_CONCURRENCY_ONLY),
// so a call that slipped past Swift's `#if PublicConcurrencyOnly` fails to link.
// Included by CRingIO.h after the system and liburing headers, which it orders.

#include <stdbool.h>
#include <stdint.h>

/// A cancellation hook: `fn(core, user_data)` runs when the task that installed it is cancelled.
typedef struct ringio_cancel_hook {
    void (*fn)(void *core, uint64_t user_data);
    void *core;
    uint64_t user_data;
} ringio_cancel_hook;

/// Installs `hook` as a cancellation handler of the current Swift task; returns the record for removal.
///
/// Calls the Swift runtime's `swift_task_addCancellationHandler` (what `withTaskCancellationHandler`
/// uses) so no async closure, and so no executor hop, is involved. `hook` must stay valid until removed.
/// Runs `hook` at once if the task is already cancelled.
void *ringio_add_cancel_hook(ringio_cancel_hook *hook);

/// Removes a hook installed by `ringio_add_cancel_hook`.
void ringio_remove_cancel_hook(void *record);

/// Whether the current Swift task is cancelled (false outside a task).
///
/// `swift_task_getCurrent` + `swift_task_isCancelled`, what `Task.isCancelled` does, without the
/// retain and release of the task that `Task.checkCancellation()` costs on every I/O.
bool ringio_current_task_is_cancelled(void);

/// Makes Swift's global concurrent executor offer its jobs to `enqueue(context, job)`.
///
/// Installs RingIO's function in the runtime's `swift_task_enqueueGlobal_hook` (what SwiftNIO's
/// `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor` sets; Swift 6.3 has no
/// public way), with a compare-and-swap so another library's hook is never overwritten. The hook
/// calls `enqueue` with the installed context, or NULL once it is uninstalled (so a loop thread can
/// still keep its own tasks' jobs); when `enqueue` returns false, the runtime's own global executor
/// takes the job. Returns 0 when installed, 1 when another hook is in place, 2 when another context
/// is installed.
int ringio_install_global_executor(void *context, bool (*enqueue)(void *context, void *job));

/// Takes `context` out of the hook again (the hook stays, calling `enqueue` with NULL). Returns
/// whether `context` was installed.
bool ringio_uninstall_global_executor(void *context);

/// The context installed by `ringio_install_global_executor`, or NULL.
void *ringio_installed_global_executor(void);

#endif

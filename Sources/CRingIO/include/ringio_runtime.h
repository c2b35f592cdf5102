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

#endif

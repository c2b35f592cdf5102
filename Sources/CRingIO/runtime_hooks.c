// Swift runtime hooks (see include/ringio_runtime.h and Sources/RingIO/Runtime).
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "CRingIO.h"

#ifndef RINGIO_PUBLIC_CONCURRENCY_ONLY

// The Swift runtime's cancellation-handler entry points (libswift_Concurrency, swiftcall ABI).
typedef __attribute__((swiftcall)) void (*ringio_swift_handler)(void *__attribute__((swift_context)));
extern __attribute__((swiftcall)) void *swift_task_addCancellationHandler(ringio_swift_handler handler, void *context);
extern __attribute__((swiftcall)) void swift_task_removeCancellationHandler(void *record);

static __attribute__((swiftcall)) void ringio_cancel_trampoline(void *__attribute__((swift_context)) context) {
    ringio_cancel_hook *hook = (ringio_cancel_hook *)context;
    hook->fn(hook->core, hook->user_data);
}

void *ringio_add_cancel_hook(ringio_cancel_hook *hook) {
    return swift_task_addCancellationHandler(ringio_cancel_trampoline, hook);
}

void ringio_remove_cancel_hook(void *record) {
    swift_task_removeCancellationHandler(record);
}

extern __attribute__((swiftcall)) void *swift_task_getCurrent(void);
extern __attribute__((swiftcall)) bool swift_task_isCancelled(void *task);

bool ringio_current_task_is_cancelled(void) {
    void *task = swift_task_getCurrent();
    return task != NULL && swift_task_isCancelled(task);
}

#endif

#ifndef RINGIO_PUBLIC_CONCURRENCY_ONLY

// The global executor's enqueue hook (libswift_Concurrency; Swift's runtime headers declare it as
// `SWIFT_CC(swift) void (*swift_task_enqueueGlobal_hook)(Job *, swift_task_enqueueGlobal_original)`).
typedef __attribute__((swiftcall)) void (*ringio_enqueue_global_original)(void *job);
typedef __attribute__((swiftcall)) void (*ringio_enqueue_global_hook)(void *job, ringio_enqueue_global_original original);
extern ringio_enqueue_global_hook swift_task_enqueueGlobal_hook;

// The installed group (retained by Swift for the rest of the process) and the function that
// offers it a job. The function is set before the hook is installed, and never changes.
static void *_Atomic global_context;
static bool (*_Atomic global_enqueue)(void *context, void *job);

static __attribute__((swiftcall)) void ringio_enqueue_global(void *job, ringio_enqueue_global_original original) {
    void *context = atomic_load_explicit(&global_context, memory_order_acquire);
    bool (*enqueue)(void *, void *) = atomic_load_explicit(&global_enqueue, memory_order_acquire);
    if (!enqueue(context, job)) original(job);
}

int ringio_install_global_executor(void *context, bool (*enqueue)(void *context, void *job)) {
    atomic_store_explicit(&global_enqueue, enqueue, memory_order_release);
    ringio_enqueue_global_hook expected = NULL;
    if (!__atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &expected, ringio_enqueue_global, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
        expected != ringio_enqueue_global) {
        return 1;
    }
    void *none = NULL;
    return atomic_compare_exchange_strong(&global_context, &none, context) ? 0 : 2;
}

bool ringio_uninstall_global_executor(void *context) {
    void *expected = context;
    return atomic_compare_exchange_strong(&global_context, &expected, NULL);
}

void *ringio_installed_global_executor(void) {
    return atomic_load_explicit(&global_context, memory_order_acquire);
}

#endif

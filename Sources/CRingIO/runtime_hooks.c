// Swift runtime hooks (see include/ringio_runtime.h and Sources/RingIO/Runtime).
#define _GNU_SOURCE
#include <errno.h>
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

#ifndef CRINGIO_SHIM_H
#define CRINGIO_SHIM_H

// liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE before it includes glibc headers, which makes
// its fd_set clash with the one SwiftGlibc already imported. Pull the system headers in first.
#include <sys/select.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdint.h>
// liburing ships its own copy of <linux/io_uring.h> (same include guard, slightly different field
// types), while swift-system's CSystem module (used by NIOFileSystem and Hummingbird) includes the
// kernel's. A Swift module that loads both C modules then fails to compile: clang sees two
// different definitions of `struct io_uring_sqe`. Including the kernel's header first makes
// liburing use it too, so both modules share one definition. Only when the installed kernel
// headers are at least as new as the kernel the installed liburing was made for: older ones may
// lack what it needs. (liburing 2.3 has no version header; 2.4 added io_uring_version.h. A
// liburing newer than this table keeps its own copy, and with it the clash.)
#include <linux/version.h>
#if __has_include(<liburing/io_uring_version.h>)
#include <liburing/io_uring_version.h>
#endif
#if !defined(IO_URING_VERSION_MAJOR)
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 1, 0)   /* liburing 2.3 and older */
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 4
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 3, 0)
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 5
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 7, 0)
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 6
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 9, 0)
#endif
#if defined(RINGIO_LIBURING_KERNEL) && defined(LINUX_VERSION_CODE) && LINUX_VERSION_CODE >= RINGIO_LIBURING_KERNEL
#include <linux/io_uring.h>
#endif
#include <liburing.h>

#include "ringio_ring.h"
#include "ringio_runtime.h"
#include "ringio_blocking.h"
#include "ringio_system.h"

#endif

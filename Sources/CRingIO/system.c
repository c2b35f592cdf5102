// System helpers (see include/ringio_system.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sched.h>
#include <unistd.h>

#include "CRingIO.h"
#include <linux/falloc.h>
#include <linux/magic.h>
#include <sys/vfs.h>

// The header spells these out (Swift's Glibc module does not export them); check they match.
_Static_assert(RINGIO_AT_EMPTY_PATH == AT_EMPTY_PATH, "AT_EMPTY_PATH");
_Static_assert(RINGIO_FALLOC_FL_KEEP_SIZE == FALLOC_FL_KEEP_SIZE, "FALLOC_FL_KEEP_SIZE");

int ringio_classify_descriptor(int fd) {
    struct statx st;
    if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &st) != 0) {
        return RINGIO_STREAM;
    }
    unsigned kind = st.stx_mode & S_IFMT;
    if (kind != S_IFREG && kind != S_IFBLK) {
        return RINGIO_STREAM;
    }
    if (lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE) {
        return RINGIO_STREAM;  // e.g. tracefs trace_pipe: a regular file without offsets
    }
    // Device major 0 is an anonymous device: a network, FUSE or virtual file system (and tmpfs,
    // overlayfs, btrfs), whose reads may wait on something other than a disk. Keep those cancellable.
    if (kind == S_IFBLK || st.stx_dev_major != 0) {
        return RINGIO_TRANSFERS_END_ON_THEIR_OWN;
    }
    // procfs and sysfs generate a file's text as it is read (seq_file): a read at a later offset
    // makes the kernel generate everything before it again, so read them in order.
    struct statfs fs;
    if (fstatfs(fd, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC)) {
        return RINGIO_READ_IN_ORDER;
    }
    return 0;
}

int ringio_errno(void) {
    return errno;
}

const char *ringio_empty_path(void) {
    static const char empty[] = "";
    return empty;
}

int ringio_o_direct(void) {
    return O_DIRECT;
}

int ringio_o_directory(void) {
    return O_DIRECTORY;
}

unsigned long long ringio_memlock_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return RLIM_INFINITY;
    }
    return limit.rlim_cur;
}

int ringio_set_memlock_limit(unsigned long long bytes) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return -errno;
    }
    limit.rlim_cur = bytes;
    return setrlimit(RLIMIT_MEMLOCK, &limit) == 0 ? 0 : -errno;
}

void ringio_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int ringio_allowed_cpus(int *out, int max) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        return -errno;
    }
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            out[n++] = cpu;
        }
    }
    return n;
}

int ringio_current_cpu(void) {
    return sched_getcpu();
}

int ringio_pin_current_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static _Thread_local ringio_loop_identity current_loop = {0, -1};

ringio_loop_identity ringio_current_loop(void) {
    return current_loop;
}

static _Thread_local void *current_loop_core;

void *ringio_current_loop_core(void) {
    return current_loop_core;
}

void ringio_set_current_loop_core(void *core) {
    current_loop_core = core;
}

void ringio_set_current_loop(uint64_t group, int64_t index) {
    current_loop.group = group;
    current_loop.index = index;
}

uint64_t ringio_monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

#ifndef CKEEL_LINUX_H
#define CKEEL_LINUX_H

/// The C that Swift cannot reach directly: calls glibc hides behind _GNU_SOURCE or that need a
/// raw syscall. Every symbol is prefixed `ckeel_`. Errors follow libc: -1 and errno.

/// renameat2(2) with flags such as CKEEL_RENAME_NOREPLACE.
int ckeel_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// syncfs(2): flush every dirty page of the file system holding fd.
int ckeel_syncfs(int fd);

/// copy_file_range(2) between the current offsets of two descriptors.
long ckeel_copy_file_range(int fd_in, int fd_out, unsigned long length);

/// sched_setscheduler(2) of the calling thread to SCHED_BATCH: its fair share of the CPU is kept,
/// but its wake-ups never preempt a running thread. 0, or -1 with errno set.
int ckeel_thread_schedule_batch(void);

/// Whether the calling thread is in the SCHED_BATCH class (1) or not (0).
int ckeel_thread_is_batch(void);

/// pipe2(2) with O_CLOEXEC: both ends close at exec, so no child inherits them by accident.
int ckeel_pipe_cloexec(int fds[2]);

/// pidfd_send_signal(2): sends `signal` to the process `pidfd` refers to (never to another that
/// reused its pid); ESRCH once it has been reaped. A raw syscall: glibc before 2.36 lacks it.
int ckeel_pidfd_send_signal(int pidfd, int signal);

/// Fail instead of replacing an existing destination.
extern const unsigned int CKEEL_RENAME_NOREPLACE;
/// Swap the two names atomically.
extern const unsigned int CKEEL_RENAME_EXCHANGE;

#include "CKeelCompression.h"
#include "CKeelConcurrencyHooks.h"
#include "CKeelEpoll.h"
#include "CKeelIdentity.h"
#include "CKeelLz4.h"
#include "CKeelNotify.h"
#include "CKeelSpawn.h"
#include "CKeelProcessTree.h"
#include "CKeelZstd.h"

#endif

#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "CKeelLinux.h"

const unsigned int CKEEL_RENAME_NOREPLACE = RENAME_NOREPLACE;
const unsigned int CKEEL_RENAME_EXCHANGE = RENAME_EXCHANGE;

int ckeel_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

int ckeel_syncfs(int fd) {
    return syncfs(fd);
}

long ckeel_copy_file_range(int fd_in, int fd_out, unsigned long length) {
    return (long)copy_file_range(fd_in, NULL, fd_out, NULL, length, 0);
}

int ckeel_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int ckeel_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}

int ckeel_thread_schedule_batch(void) {
    struct sched_param param = {0};
    return sched_setscheduler(0, SCHED_BATCH, &param);
}

int ckeel_thread_is_batch(void) {
    return sched_getscheduler(0) == SCHED_BATCH;
}

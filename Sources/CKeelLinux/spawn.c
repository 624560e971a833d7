// All the work between fork and exec: namespaces, mounts, pivot_root, identity, descriptors.
// Nothing here allocates or takes a libc lock after clone() in the child; errors go back as (errno,
// message), through a pipe or, for a child sharing the parent's memory, in `child_args`, and the
// child exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "CKeelSpawn.h"

_Static_assert(CKEEL_RLIMIT_NOFILE == RLIMIT_NOFILE && CKEEL_RLIMIT_NPROC == RLIMIT_NPROC, "rlimit numbers");

struct child_args {
    const struct ckeel_spawn_spec *spec;
    // Non-zero: the child shares the parent's memory until it execs (CLONE_VM | CLONE_VFORK, as
    // posix_spawn does), so the daemon's page tables are neither copied nor torn down at each
    // start. Such a child joins its cgroups itself, has neither a sync pipe nor an error pipe
    // (it reports in `failed`), runs on a stack in the parent's frame, and resets every signal
    // handler before it unblocks signals: a handler run in it would run on the parent's memory.
    int shares_memory;
    int sync_read;   // the parent closes its end once the id maps are written (-1: shared memory)
    int error_write; // CLOEXEC: EOF at exec, else (errno, message); -1: shared memory, `failed` instead
    // A child sharing the parent's memory reports a failure here; the parent reads it once the
    // child has exec'd or exited (CLONE_VFORK).
    int failed;
    int failed_errno;
    char failed_step[256];
    int *source_fds; // room for one O_PATH descriptor per mount (see `early_identity`)
    // The process's nice value (its main thread's), which the child takes: the calling thread
    // may have another (libdispatch gives its QoS threads their own, -2 for user-initiated).
    // UNKNOWN_NICE when it could not be read.
    int process_nice;
    // Non-zero: the parent made its thread SCHED_BATCH for the spawn (see `ckeel_spawn`), and the
    // child, which inherited that, goes back to SCHED_OTHER once its descriptors are closed.
    int back_to_normal;
};

#define UNKNOWN_NICE INT_MIN

_Static_assert(sizeof(struct ckeel_mount) == 2 * sizeof(char *) + sizeof(int) + 4, "ckeel_mount layout");

static void fail(struct child_args *report, const char *step) {
    int saved = errno;
    size_t length = strlen(step);
    if (report->error_write < 0) {
        if (length >= sizeof report->failed_step) length = sizeof report->failed_step - 1;
        memcpy(report->failed_step, step, length);
        report->failed_step[length] = '\0';
        report->failed_errno = saved;
        report->failed = 1;
        _exit(127);
    }
    int fd = report->error_write;
    char buffer[512];
    memcpy(buffer, &saved, sizeof saved);
    if (length > sizeof buffer - sizeof saved) length = sizeof buffer - sizeof saved;
    memcpy(buffer + sizeof saved, step, length);
    ssize_t ignored = write(fd, buffer, sizeof saved + length);
    (void)ignored;
    _exit(127);
}

// Joins `root` and an absolute `inside` path into `out`.
static int join(char *out, size_t size, const char *root, const char *inside) {
    size_t first = strlen(root), second = strlen(inside);
    if (first + second + 1 > size) { errno = ENAMETOOLONG; return -1; }
    memcpy(out, root, first);
    memcpy(out + first, inside, second + 1);
    return 0;
}

// mkdir -p, without allocating.
static int make_directories(const char *path, mode_t mode) {
    char buffer[4096];
    size_t length = strlen(path);
    if (length >= sizeof buffer) { errno = ENAMETOOLONG; return -1; }
    memcpy(buffer, path, length + 1);
    for (size_t i = 1; i <= length; i++) {
        if (buffer[i] == '/' || buffer[i] == '\0') {
            char saved = buffer[i];
            buffer[i] = '\0';
            if (mkdir(buffer, mode) != 0 && errno != EEXIST) return -1;
            buffer[i] = saved;
        }
    }
    return 0;
}

// Creates the mount point for `source` at `target`: a directory, or an empty file.
static int make_mount_point(const char *source, const char *target) {
    struct stat info;
    if (stat(source, &info) != 0) return -1;
    if (S_ISDIR(info.st_mode)) return make_directories(target, 0755);
    char parent[4096];
    size_t length = strlen(target);
    if (length >= sizeof parent) { errno = ENAMETOOLONG; return -1; }
    memcpy(parent, target, length + 1);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) { *slash = '\0'; if (make_directories(parent, 0755) != 0) return -1; }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

static int bind_path(const char *source, const char *target, int read_only) {
    if (make_mount_point(source, target) != 0) return -1;
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    if (!read_only) return 0;
    // A remount must keep the flags the source mount has (nosuid, nodev...), or a user
    // namespace refuses it (those flags are locked).
    struct statvfs info;
    if (statvfs(target, &info) != 0) return -1;
    unsigned long kept = 0;
    if (info.f_flag & ST_NOSUID) kept |= MS_NOSUID;
    if (info.f_flag & ST_NODEV) kept |= MS_NODEV;
    if (info.f_flag & ST_NOEXEC) kept |= MS_NOEXEC;
    if (info.f_flag & ST_NOATIME) kept |= MS_NOATIME;
    if (info.f_flag & ST_NODIRATIME) kept |= MS_NODIRATIME;
    if (info.f_flag & ST_RELATIME) kept |= MS_RELATIME;
    return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept, NULL);
}

// "/proc/self/fd/N" for `fd`, without snprintf.
static void fd_path(char out[32], int fd) {
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    size_t count = 0;
    do { digits[count++] = (char)('0' + fd % 10); fd /= 10; } while (fd > 0 && count < sizeof digits);
    memcpy(out, prefix, sizeof prefix - 1);
    for (size_t i = 0; i < count; i++) out[sizeof prefix - 1 + i] = digits[count - 1 - i];
    out[sizeof prefix - 1 + count] = '\0';
}

static int loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strcpy(request.ifr_name, "lo");
    request.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    int result = ioctl(fd, SIOCSIFFLAGS, &request);
    close(fd);
    return result;
}

// Closes every descriptor from 3 up except those in `keep` (sorted ascending, all >= 0): a child
// cloned beside another spawn must not hold that spawn's pipes open.
static void close_between(unsigned int first, unsigned int last) {
    if (syscall(SYS_close_range, first, last, 0) == 0) return;
    // Kernels before 5.9 have no close_range.
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536) limit = 65536;
    for (unsigned int fd = first; fd <= last && fd < (unsigned int)limit; fd++) close((int)fd);
}

static void close_all_but(const int *keep, size_t count) {
    unsigned int next = 3;
    for (size_t i = 0; i < count; i++) {
        if (keep[i] < (int)next) continue;
        if ((unsigned int)keep[i] > next) close_between(next, (unsigned int)keep[i] - 1);
        next = (unsigned int)keep[i] + 1;
    }
    close_between(next, ~0U);
}

static void sort_small(int *values, size_t count) {
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && values[j - 1] > values[j]; j--) {
            int swap = values[j];
            values[j] = values[j - 1];
            values[j - 1] = swap;
        }
    }
}

// Writes 0 (the writer itself) to a cgroup's `cgroup.procs` file, without allocating.
static int join_self_to_cgroup(const char *procs) {
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written;
    do { written = write(fd, "0\n", 2); } while (written < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return written == 2 ? 0 : -1;
}

// Every signal with a handler goes back to its default action (ignored ones stay ignored, as
// exec would leave them), through raw system calls that touch only this child's table.
static void reset_signal_handlers(void) {
    for (int signal_number = 1; signal_number < _NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
        struct sigaction current;
        if (sigaction(signal_number, NULL, &current) != 0) continue;
        if (current.sa_handler == SIG_DFL || current.sa_handler == SIG_IGN) continue;
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        sigaction(signal_number, &fallback, NULL);
    }
}

static int child_main(void *raw) {
    struct child_args *args = raw;
    const struct ckeel_spawn_spec *spec = args->spec;
    char path[4096];

    int keep[5] = {args->sync_read, args->error_write, spec->stdin_fd, spec->stdout_fd, spec->stderr_fd};
    sort_small(keep, 5);
    close_all_but(keep, 5);

    // Best effort, as the nice value below: a program runs in either class.
    if (args->back_to_normal) {
        struct sched_param normal = {0};
        (void)sched_setscheduler(0, SCHED_OTHER, &normal);
    }
    if (args->shares_memory) {
        // Before anything of its own runs: everything it ever forks starts inside its cgroups.
        for (size_t i = 0; i < spec->cgroup_proc_count; i++) {
            if (join_self_to_cgroup(spec->cgroup_procs[i]) != 0) {
                char step[4096];
                if (join(step, sizeof step, "joining the cgroup ", spec->cgroup_procs[i]) != 0) fail(args, "joining a cgroup");
                fail(args, step);
            }
        }
        reset_signal_handlers();
    }
    // Best effort: raising one's priority back needs CAP_SYS_NICE, and a program runs either way.
    if (args->process_nice != UNKNOWN_NICE) (void)setpriority(PRIO_PROCESS, 0, args->process_nice);
    if (spec->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(args, "prctl(PR_SET_PDEATHSIG)");
    if (spec->new_session && setsid() < 0) fail(args, "setsid");

    if (!args->shares_memory) {
        // Wait until the parent has written the user namespace's id maps and joined the child
        // to its cgroups: one byte means go on, end of file means the parent gave up.
        char byte;
        ssize_t got;
        do { got = read(args->sync_read, &byte, 1); } while (got < 0 && errno == EINTR);
        if (got != 1) { errno = got == 0 ? ECANCELED : errno; fail(args, "waiting for the id maps"); }
        close(args->sync_read);
    }

    if (spec->isolate) {
        if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) != 0) fail(args, "sethostname");
        if (spec->private_network && loopback_up() != 0) fail(args, "bringing up the loopback interface");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(args, "making mounts private");
    }
    // Root inside mapped to another host id: the child's own host uid (the caller's) is not
    // mapped in its user namespace, so it cannot create files in a file system mounted there
    // (EOVERFLOW). It takes its inside identity (keeping its capabilities: root inside) as soon
    // as the new root is mounted, having first opened every mount source (O_PATH) and the root
    // while it could still reach them with the caller's identity; the binds then come from
    // those descriptors and every path is relative to the new root (the working directory).
    int early_identity = spec->isolate && spec->root && spec->inside_uid == 0;
    const char *root = spec->root;
    if (early_identity) {
        for (size_t i = 0; i < spec->mount_count; i++) {
            args->source_fds[i] = open(spec->mounts[i].source, O_PATH | O_CLOEXEC);
            if (args->source_fds[i] < 0) fail(args, spec->mounts[i].source);
        }
    }
    if (spec->root) {
        if (spec->fresh_root) {
            // Owned by root inside (uid=0 is read in the child's user namespace), so the early
            // identity below may write it.
            const char *options = early_identity ? "mode=0755,uid=0,gid=0" : "mode=0755";
            if (mount("tmpfs", spec->root, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
                fail(args, "mounting the new root");
            if (early_identity) {
                if (chdir(spec->root) != 0) fail(args, "chdir to the new root");
                if (syscall(SYS_setresgid, spec->inside_gid, spec->inside_gid, spec->inside_gid) != 0)
                    fail(args, "setresgid");
                if (syscall(SYS_setresuid, spec->inside_uid, spec->inside_uid, spec->inside_uid) != 0)
                    fail(args, "setresuid");
                root = ".";
            }
            for (size_t i = 0; i < spec->file_count; i++) {
                const struct ckeel_file *file = &spec->files[i];
                if (join(path, sizeof path, root, file->path) != 0) fail(args, file->path);
                char *slash = strrchr(path, '/');
                *slash = '\0';
                if (make_directories(path, 0755) != 0) fail(args, file->path);
                *slash = '/';
                int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) fail(args, file->path);
                size_t done = 0;
                while (done < file->length) {
                    ssize_t written = write(fd, file->contents + done, file->length - done);
                    if (written < 0 && errno == EINTR) continue;
                    if (written <= 0) fail(args, file->path);
                    done += (size_t)written;
                }
                close(fd);
            }
        } else if (mount(spec->root, spec->root, NULL, MS_BIND | MS_REC, NULL) != 0) {
            fail(args, "binding the new root");
        }
        if (spec->standard_mounts) {
            if (spec->share_pid_namespace) {
                if (join(path, sizeof path, root, "/proc") || make_directories(path, 0555)
                    || mount("/proc", path, NULL, MS_BIND | MS_REC, NULL) != 0)
                    fail(args, "binding /proc");
            } else if (join(path, sizeof path, root, "/proc") || make_directories(path, 0555)
                || mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
                fail(args, "mounting /proc");
            // /tmp is a directory of the new root (private to it, as Nix's is), not a tmpfs: a
            // store directory under /tmp must stay on the host's disk, where the outputs go.
            if (join(path, sizeof path, root, "/tmp") || make_directories(path, 0755) || chmod(path, 01777) != 0)
                fail(args, "making /tmp");
            if (join(path, sizeof path, root, "/dev") || make_directories(path, 0755)
                || mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") != 0)
                fail(args, "mounting /dev");
            static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
            for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
                char source[64], target[4096];
                if (join(source, sizeof source, "/dev/", devices[i]) != 0) fail(args, devices[i]);
                if (join(target, sizeof target, root, source) != 0) fail(args, source);
                if (access(source, F_OK) == 0 && bind_path(source, target, 0) != 0) fail(args, source);
            }
            static const char *const links[][2] = {
                {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
                {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"}};
            for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
                if (join(path, sizeof path, root, links[i][1]) || symlink(links[i][0], path) != 0)
                    fail(args, links[i][1]);
            }
            if (join(path, sizeof path, root, "/dev/shm") || make_directories(path, 01777)
                || mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
                fail(args, "mounting /dev/shm");
        }
        for (size_t i = 0; i < spec->mount_count; i++) {
            const struct ckeel_mount *m = &spec->mounts[i];
            if (join(path, sizeof path, root, m->target) != 0) { errno = ENAMETOOLONG; fail(args, m->target); }
            const char *source = m->source;
            char source_path[32];
            if (early_identity) {
                fd_path(source_path, args->source_fds[i]);
                source = source_path;
            }
            if (bind_path(source, path, m->read_only) != 0) fail(args, m->source);
            if (early_identity) close(args->source_fds[i]);
        }
        // pivot_root(".", "."): the old root is stacked under the new one and detached at once,
        // with no mount point directory (which sandboxes sharing a root would race on).
        if (chdir(root) != 0) fail(args, "chdir to the new root");
        if (syscall(SYS_pivot_root, ".", ".") != 0) fail(args, "pivot_root");
        if (umount2(".", MNT_DETACH) != 0) fail(args, "detaching the old root");
        if (chdir("/") != 0) fail(args, "chdir /");
    }
    if (spec->isolate) {
        // Raw system calls: glibc's wrappers would try to change the credentials of every thread
        // the parent had (setxid broadcast) and wait forever for threads this child lacks.
        if (syscall(SYS_setgroups, 0, NULL) != 0 && errno != EPERM) fail(args, "setgroups");
        gid_t gid = spec->inside_gid;
        uid_t uid = spec->inside_uid;
        if (syscall(SYS_setresgid, gid, gid, gid) != 0) fail(args, "setresgid");
        if (syscall(SYS_setresuid, uid, uid, uid) != 0) fail(args, "setresuid");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(args, "prctl(PR_SET_NO_NEW_PRIVS)");
    }
    if (!spec->isolate && spec->switch_identity) {
        // Raw system calls, as above: no setxid broadcast to threads this child lacks.
        if (syscall(SYS_setgroups, spec->identity_group_count, spec->identity_groups) != 0) fail(args, "setgroups");
        gid_t gid = spec->identity_gid;
        uid_t uid = spec->identity_uid;
        if (syscall(SYS_setresgid, gid, gid, gid) != 0) fail(args, "setresgid");
        if (syscall(SYS_setresuid, uid, uid, uid) != 0) fail(args, "setresuid");
    }
    for (size_t i = 0; i < spec->rlimit_count; i++) {
        struct rlimit limit = {(rlim_t)spec->rlimits[i].soft, (rlim_t)spec->rlimits[i].hard};
        if (setrlimit((__rlimit_resource_t)spec->rlimits[i].resource, &limit) != 0)
            fail(args, spec->rlimits[i].resource == RLIMIT_NOFILE ? "setting RLIMIT_NOFILE" : "setting a resource limit");
    }
    if (spec->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(args, "prctl(PR_SET_NO_NEW_PRIVS)");
    if (spec->working_directory && chdir(spec->working_directory) != 0) fail(args, spec->working_directory);

    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int fds[3] = {spec->stdin_fd, spec->stdout_fd, spec->stderr_fd};
    // Move the sources above 2 first so a later dup2 cannot clobber an earlier source.
    for (int i = 0; i < 3; i++) {
        int source = fds[i] >= 0 ? fds[i] : null_fd;
        if (source < 0) { errno = ENOENT; fail(args, "opening /dev/null"); }
        int high = fcntl(source, F_DUPFD_CLOEXEC, 3);
        if (high < 0) fail(args, "duplicating a standard descriptor");
        fds[i] = high;
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(fds[i], i) < 0) fail(args, "dup2");
    }
    // Everything else closes at exec (the error pipe included, which tells the parent exec worked).
    if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
        for (int fd = 3; fd < 1024; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(spec->path, spec->argv, spec->envp);
    fail(args, spec->path);
    return 127;
}

static int write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return written == (ssize_t)strlen(text) ? 0 : -1;
}

// Writes `pid` to a cgroup's `cgroup.procs` file.
static int join_cgroup(const char *procs, pid_t pid) {
    char text[32];
    snprintf(text, sizeof text, "%d\n", (int)pid);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written;
    do { written = write(fd, text, strlen(text)); } while (written < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return written == (ssize_t)strlen(text) ? 0 : -1;
}

// The parent's part of the child's setup, done while the child waits: its cgroups. Returns 0, or -1 with errno set and the failed step described in `step`.
static int set_up_child(const struct ckeel_spawn_spec *spec, pid_t pid, char *step, size_t step_size) {
    for (size_t i = 0; i < spec->cgroup_proc_count; i++) {
        if (join_cgroup(spec->cgroup_procs[i], pid) != 0) {
            int saved = errno;
            snprintf(step, step_size, "joining the cgroup %s", spec->cgroup_procs[i]);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

// Closes both ends of a pipe that was made (-1: not made).
static void close_pair(int pipe_fds[2]) {
    if (pipe_fds[0] >= 0) close(pipe_fds[0]);
    if (pipe_fds[1] >= 0) close(pipe_fds[1]);
}

// The stack of a child that shares the parent's memory: it runs while the parent waits (CLONE_VFORK),
// so it lives in the parent's own frame, whose pages stay mapped from one spawn to the next.
#define SHARED_CHILD_STACK_SIZE (128 * 1024)
// The stack of a child with memory of its own (it runs beside the parent), mapped for each spawn.
#define CHILD_STACK_SIZE (256 * 1024)

int ckeel_spawn(const struct ckeel_spawn_spec *spec, pid_t *pid_out, int *pidfd_out, char *error, size_t error_size) {
    // A host child (no namespaces, no new root) shares the parent's memory until exec: it needs no
    // sync pipe, no error pipe (it reports in `args`) and no stack of its own.
    int shares_memory = !spec->isolate && !spec->root;
    int sync_pipe[2] = {-1, -1}, error_pipe[2] = {-1, -1};
    if (error_size) error[0] = '\0';
    if (!shares_memory && pipe2(sync_pipe, O_CLOEXEC) != 0) { snprintf(error, error_size, "pipe"); return errno; }
    if (!shares_memory && pipe2(error_pipe, O_CLOEXEC) != 0) {
        int saved = errno;
        close_pair(sync_pipe);
        snprintf(error, error_size, "pipe");
        return saved;
    }
    int *source_fds = calloc(spec->mount_count + 1, sizeof(int));
    if (!source_fds) {
        close_pair(sync_pipe); close_pair(error_pipe);
        snprintf(error, error_size, "allocating the spawn's descriptor table");
        return ENOMEM;
    }
    errno = 0;
    int process_nice = getpriority(PRIO_PROCESS, getpid());
    if (process_nice == -1 && errno != 0) process_nice = UNKNOWN_NICE;
    struct child_args args = {
        .spec = spec, .shares_memory = shares_memory, .sync_read = sync_pipe[0], .error_write = error_pipe[1],
        .source_fds = source_fds, .process_nice = process_nice};
    _Alignas(64) char shared_stack[SHARED_CHILD_STACK_SIZE];
    char *stack = shared_stack;
    size_t stack_size = SHARED_CHILD_STACK_SIZE;
    if (!shares_memory) {
        stack_size = CHILD_STACK_SIZE;
        stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) {
            int saved = errno;
            close_pair(sync_pipe); close_pair(error_pipe);
            free(source_fds);
            snprintf(error, error_size, "mmap of the child's stack");
            return saved;
        }
    }
    int flags = SIGCHLD;
    if (spec->isolate) {
        flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
        if (!spec->share_pid_namespace) flags |= CLONE_NEWPID;
        if (spec->private_network) flags |= CLONE_NEWNET;
    } else if (spec->root) {
        flags |= CLONE_NEWNS;
    }
    if (shares_memory) flags |= CLONE_VM | CLONE_VFORK;
    // No signal reaches the child before it has reset its handlers (it inherits this mask).
    sigset_t all, saved_mask;
    sigfillset(&all);
    if (shares_memory) pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
    // The child wakes this thread halfway through its exec (when it lets go of the shared
    // memory). Woken as SCHED_OTHER, the thread would preempt it on its CPU and run the caller's
    // bookkeeping first, then wait for the exec to finish anyway (/proc/PID/stat waits for it):
    // with autogroups, the child is in a new group of its own (setsid), and sched_yield cannot
    // give way across groups. A SCHED_BATCH thread is never woken into preempting: a thread in
    // the normal class is batch for the spawn only (any other is left alone, and the child
    // takes its class), and the child goes back to SCHED_OTHER before its exec.
    struct sched_param normal = {0};
    args.back_to_normal = shares_memory && sched_getscheduler(0) == SCHED_OTHER
        && sched_setscheduler(0, SCHED_BATCH, &normal) == 0;
    pid_t pid = clone(child_main, stack + stack_size, flags, &args);
    int clone_errno = errno;
    if (args.back_to_normal) (void)sched_setscheduler(0, SCHED_OTHER, &normal);
    if (shares_memory) pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    if (sync_pipe[0] >= 0) close(sync_pipe[0]);
    if (error_pipe[1] >= 0) close(error_pipe[1]);
    if (pid < 0) {
        if (!shares_memory) munmap(stack, stack_size);
        free(source_fds);
        if (sync_pipe[1] >= 0) close(sync_pipe[1]);
        if (error_pipe[0] >= 0) close(error_pipe[0]);
        snprintf(error, error_size, "clone");
        return clone_errno;
    }
    int map_errno = 0;
    const char *map_step = NULL;
    if (spec->isolate) {
        char map[64];
        snprintf(map, sizeof map, "%u %u 1\n", spec->inside_uid, spec->outside_uid);
        if (write_file(pid, "uid_map", map) != 0) { map_errno = errno; map_step = "writing uid_map"; }
        else if (write_file(pid, "setgroups", "deny") != 0) { map_errno = errno; map_step = "writing setgroups"; }
        else {
            snprintf(map, sizeof map, "%u %u 1\n", spec->inside_gid, spec->outside_gid);
            if (write_file(pid, "gid_map", map) != 0) { map_errno = errno; map_step = "writing gid_map"; }
        }
    }
    char setup_step[512];
    if (!map_step && !shares_memory && set_up_child(spec, pid, setup_step, sizeof setup_step) != 0) {
        map_errno = errno != 0 ? errno : EIO;
        map_step = setup_step;
    }
    if (map_step) {
        kill(pid, SIGKILL);
    } else if (!shares_memory) {
        char go = 1;
        ssize_t sent;
        do { sent = write(sync_pipe[1], &go, 1); } while (sent < 0 && errno == EINTR);
    }
    if (sync_pipe[1] >= 0) close(sync_pipe[1]);
    char buffer[512];
    ssize_t got = 0;
    if (error_pipe[0] >= 0) {
        do { got = read(error_pipe[0], buffer, sizeof buffer); } while (got < 0 && errno == EINTR);
        close(error_pipe[0]);
    }
    if (!shares_memory) munmap(stack, stack_size); // the child has exec'd or exited: its copy is its own
    free(source_fds);
    if (map_step || got > 0 || args.failed) {
        int child_errno = map_errno;
        const char *step = map_step;
        char message[512];
        if (args.failed) {
            child_errno = args.failed_errno;
            step = args.failed_step;
        } else if (!map_step) {
            memcpy(&child_errno, buffer, sizeof child_errno);
            size_t length = (size_t)got - sizeof child_errno;
            memcpy(message, buffer + sizeof child_errno, length);
            message[length] = '\0';
            step = message;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        snprintf(error, error_size, "%s", step);
        return child_errno != 0 ? child_errno : EIO;
    }
    *pid_out = pid;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    *pidfd_out = pidfd;
    return 0;
}

int ckeel_eventfd(void) { return eventfd(0, EFD_CLOEXEC); }

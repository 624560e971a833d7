#ifndef CKEEL_SPAWN_H
#define CKEEL_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// One bind mount into the sandbox's new root.
struct ckeel_mount {
    /// The host path to bind (a file or a directory).
    const char *source;
    /// Where it appears inside the sandbox (absolute, under the new root).
    const char *target;
    /// Non-zero: read-only inside.
    int read_only;
};

/// A file the child writes into a fresh root before the bind mounts.
struct ckeel_file {
    /// Where it appears inside the sandbox (absolute).
    const char *path;
    /// Its contents and their length.
    const char *contents;
    size_t length;
};

/// The resources `struct ckeel_rlimit` names (glibc's RLIMIT_* are macros Swift cannot see).
enum {
    CKEEL_RLIMIT_NOFILE = 7,
    CKEEL_RLIMIT_NPROC = 6,
};

/// A resource limit the child sets on itself before exec.
struct ckeel_rlimit {
    /// RLIMIT_NOFILE, RLIMIT_NPROC...
    int resource;
    /// The soft and hard limits.
    uint64_t soft, hard;
};

/// Everything the child does between fork and exec, described up front: namespaces, the new
/// root and its mounts, the identity and the file descriptors. See KeelSandbox's SandboxSpec.
struct ckeel_spawn_spec {
    /// The program to execute (a path inside the new root when `root` is set).
    const char *path;
    /// NULL-terminated argument and environment vectors.
    char *const *argv;
    char *const *envp;

    /// A host directory that becomes `/` (NULL: keep the host's file system).
    const char *root;
    /// Non-zero: mount an empty tmpfs on `root` first, so the new root's skeleton (the files
    /// below, mount points) lives in memory and vanishes with the mount namespace.
    int fresh_root;
    /// Files written into the new root (with `fresh_root`), parents created as needed.
    const struct ckeel_file *files;
    size_t file_count;
    /// Bind mounts made under `root` before switching to it.
    const struct ckeel_mount *mounts;
    size_t mount_count;
    /// Non-zero: mount a fresh /proc and a minimal /dev and make a 1777 /tmp under `root` (before
    /// the bind mounts, so binds may land inside them).
    int standard_mounts;
    /// The working directory (inside the new root).
    const char *working_directory;
    /// The hostname inside (NULL: unchanged; needs a UTS namespace).
    const char *hostname;

    /// Non-zero: new user, mount, PID, UTS and IPC namespaces (the sandbox).
    int isolate;
    /// Non-zero (with `isolate`): a new network namespace holding only a loopback interface.
    int private_network;
    /// The identity inside the user namespace and the host identity it maps to.
    uint32_t inside_uid, inside_gid, outside_uid, outside_gid;

    /// The child's stdin, stdout and stderr (-1: /dev/null).
    int stdin_fd, stdout_fd, stderr_fd;
    /// Non-zero: the child is killed when the spawning thread exits.
    int die_with_parent;
    /// Non-zero: the child starts its own session (setsid), so a process group kill reaches all.
    int new_session;

    /// `cgroup.procs` files the parent writes the child's pid to while the child waits, before it
    /// runs anything of its own: everything it ever forks starts inside those cgroups.
    const char *const *cgroup_procs;
    size_t cgroup_proc_count;
    /// Limits the child sets on itself (setrlimit) just before exec. A sandboxed child cannot
    /// raise a hard limit above the one it inherited.
    const struct ckeel_rlimit *rlimits;
    size_t rlimit_count;
    /// Non-zero: PR_SET_NO_NEW_PRIVS before exec (always set with `isolate`).
    int no_new_privileges;
    /// Non-zero (with `isolate`): stay in the caller's PID namespace (the program is not PID 1
    /// of a namespace of its own, so signals without handlers end it as usual); the standard
    /// /proc is then the host's, bound, as a new procfs may only be mounted by a PID namespace's
    /// owner.
    int share_pid_namespace;
    /// Non-zero (without `isolate`): the child takes this host identity before exec — its
    /// supplementary groups, then its gid, then its uid (an agent's `user`).
    int switch_identity;
    uint32_t identity_uid, identity_gid;
    const uint32_t *identity_groups;
    size_t identity_group_count;
};

/// Starts a child as `spec` describes. Returns 0 and sets *pid (and *pidfd, or -1 when the
/// kernel has no pidfd_open); or returns the errno of the step that failed (in the child or the
/// parent) with a message naming that step in `error` (NUL-terminated, at most error_size).
int ckeel_spawn(const struct ckeel_spawn_spec *spec, pid_t *pid, int *pidfd, char *error, size_t error_size);

/// An eventfd (counter 0, close-on-exec), for cgroup v1 notifications; -1 with errno on failure.
int ckeel_eventfd(void);

#endif

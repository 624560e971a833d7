#ifndef CKEEL_PROCESS_TREE_H
#define CKEEL_PROCESS_TREE_H

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants of this process's children are
/// reparented to this process instead of to init. Per process; kept across execve.
int ckeel_set_child_subreaper(void);

/// prctl(PR_GET_CHILD_SUBREAPER): 1 when this process is a child subreaper, 0 when not, -1 on error.
int ckeel_is_child_subreaper(void);

/// pidfd_open(2): a pidfd (close-on-exec) for any process `pid`, child or not. A raw syscall.
int ckeel_pidfd_open(int pid);

#endif

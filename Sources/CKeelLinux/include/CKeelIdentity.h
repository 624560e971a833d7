#ifndef CKEEL_IDENTITY_H
#define CKEEL_IDENTITY_H

#include <stdint.h>

/// statx(2) of `path` relative to `dirfd` without following a final symlink: the inode number
/// and the birth time in nanoseconds (0 when the file system does not record it). Returns 0, or
/// -1 with errno set.
int ckeel_entry_identity(int dirfd, const char *path, uint64_t *inode, int64_t *birth_ns);

#endif

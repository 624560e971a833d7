#define _GNU_SOURCE
#include "CKeelIdentity.h"

#include <fcntl.h>
#include <sys/stat.h>

int ckeel_entry_identity(int dirfd, const char *path, uint64_t *inode, int64_t *birth_ns) {
    struct statx info;
    if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &info) != 0) return -1;
    *inode = info.stx_ino;
    *birth_ns = (info.stx_mask & STATX_BTIME)
        ? (int64_t)info.stx_btime.tv_sec * 1000000000 + (int64_t)info.stx_btime.tv_nsec
        : 0;
    return 0;
}

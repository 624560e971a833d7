#ifndef CKEEL_NOTIFY_H
#define CKEEL_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

/// Who sent a datagram, from its ancillary data.
struct ckeel_datagram_sender {
    /// 1 when the datagram carried SCM_CREDENTIALS (the socket has SO_PASSCRED), else 0.
    int has_credentials;
    /// The sender's pid, uid and gid as the kernel vouches for them (valid when has_credentials).
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
    /// How many descriptors passed with SCM_RIGHTS were received and closed.
    int closed_descriptors;
};

/// recvmsg(2) of one datagram from `fd` without blocking (MSG_DONTWAIT), into `buffer`. Reads
/// the sender's credentials into `sender` and closes every descriptor passed with SCM_RIGHTS
/// (received close-on-exec; the kernel drops those that did not fit). Returns the datagram's
/// full length (MSG_TRUNC: larger than `capacity` when it was cut), or -1 with errno set
/// (EAGAIN: nothing waiting).
long ckeel_receive_datagram(int fd, void *buffer, size_t capacity, struct ckeel_datagram_sender *sender);

#endif

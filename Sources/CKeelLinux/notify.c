#define _GNU_SOURCE
#include "CKeelNotify.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/// SCM_MAX_FD: the most descriptors one message can carry on Linux.
#define CKEEL_MAX_PASSED_DESCRIPTORS 253

long ckeel_receive_datagram(int fd, void *buffer, size_t capacity, struct ckeel_datagram_sender *sender) {
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * CKEEL_MAX_PASSED_DESCRIPTORS)];
    } control;
    struct iovec vector = {.iov_base = buffer, .iov_len = capacity};
    struct msghdr message = {
        .msg_iov = &vector,
        .msg_iovlen = 1,
        .msg_control = control.bytes,
        .msg_controllen = sizeof(control.bytes),
    };
    memset(sender, 0, sizeof(*sender));
    ssize_t length = recvmsg(fd, &message, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
    if (length < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET) continue;
        if (header->cmsg_type == SCM_CREDENTIALS && header->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred credentials;
            memcpy(&credentials, CMSG_DATA(header), sizeof(credentials));
            sender->has_credentials = 1;
            sender->pid = credentials.pid;
            sender->uid = credentials.uid;
            sender->gid = credentials.gid;
        } else if (header->cmsg_type == SCM_RIGHTS) {
            size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t index = 0; index < count; index++) {
                int passed;
                memcpy(&passed, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
                close(passed);
                sender->closed_descriptors++;
            }
        }
    }
    return (long)length;
}

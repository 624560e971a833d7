#ifndef CKEEL_EPOLL_H
#define CKEEL_EPOLL_H

#include <stdint.h>

/// epoll without its packed `struct epoll_event`: registrations carry a 64-bit token.

/// epoll_create1(EPOLL_CLOEXEC).
int ckeel_epoll_create(void);

/// Watches `fd` for input (level-triggered), reporting `token`.
int ckeel_epoll_add_input(int epoll_fd, int fd, uint64_t token);

/// Stops watching `fd`.
int ckeel_epoll_remove(int epoll_fd, int fd);

/// Waits without a time limit for at most `capacity` ready registrations and writes their tokens
/// to `tokens`; returns how many, or -1 with errno (EINTR included).
int ckeel_epoll_wait_tokens(int epoll_fd, uint64_t *tokens, int capacity);

#endif

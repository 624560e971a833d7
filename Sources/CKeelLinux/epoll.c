// epoll behind token-only calls: Swift never sees the packed epoll_event.
#include <sys/epoll.h>

#include "CKeelEpoll.h"

int ckeel_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int ckeel_epoll_add_input(int epoll_fd, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

int ckeel_epoll_remove(int epoll_fd, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, &unused);
}

int ckeel_epoll_wait_tokens(int epoll_fd, uint64_t *tokens, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epoll_fd, events, capacity, -1);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

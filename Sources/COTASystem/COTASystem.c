#include "COTASystem.h"
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <sys/syscall.h>
#include <sys/prctl.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int ota_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int ota_rename_exchange(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return ota_renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_EXCHANGE);
}

int ota_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return ota_renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
}

int ota_syncfs(int fd) {
    return syncfs(fd);
}

long ota_getdents64(int fd, void *buffer, size_t size) {
    return syscall(SYS_getdents64, fd, buffer, size);
}

int ota_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}

int ota_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

int ota_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int ota_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int ota_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

int ota_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

#ifndef OTA_CSYSTEM_H
#define OTA_CSYSTEM_H

#include <zlib.h>
#include <stdint.h>
#include <spawn.h>
#include <stddef.h>

/// renameat2(2) with RENAME_EXCHANGE: atomically swaps two paths.
/// Returns 0 on success, -1 with errno set (ENOSYS/EINVAL when the kernel or filesystem lacks it).
int ota_rename_exchange(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// renameat2(2) with RENAME_NOREPLACE: fails with EEXIST instead of replacing.
int ota_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// syncfs(2): flushes the whole filesystem that holds fd.
int ota_syncfs(int fd);

/// getdents64(2): reads entries of the directory open as fd into buffer as `struct linux_dirent64` records
/// (d_ino, d_off, d_reclen, d_type, d_name). Returns the bytes read, 0 at the end, -1 with errno set.
/// A raw system call: no DIR stream, so no dup or fcntl around it.
long ota_getdents64(int fd, void *buffer, size_t size);

/// inflateInit2 is a macro in zlib.h; Swift cannot call it directly.
/// windowBits 15 + 16 selects gzip decoding.
int ota_inflate_init_gzip(z_stream *stream);

/// deflateInit2 for gzip output (tests and the demo build archives with it).
int ota_deflate_init_gzip(z_stream *stream, int level);

/// pipe2(2) with O_CLOEXEC on both ends.
int ota_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29): the child starts in `path`.
int ota_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// prctl(PR_SET_DUMPABLE): 0 makes the process non-dumpable (no core dump, /proc/PID files owned by
/// root, no ptrace by other processes of the same user). prctl is variadic; Swift cannot call it.
int ota_set_dumpable(int dumpable);

/// prctl(PR_GET_DUMPABLE): 1 when dumpable, 0 when not, -1 with errno on error.
int ota_get_dumpable(void);

#endif

#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

/// Swaps the two paths atomically (Linux `renameat2` with
/// `RENAME_EXCHANGE`), both of which must exist. Returns 0, or -1 with
/// errno set (ENOSYS or EINVAL where the kernel or file system cannot).
int audience_exchange_paths(const char *first, const char *second);

#endif

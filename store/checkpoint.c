/*
 * checkpoint.c - the small file that tells recovery where durable data ends.
 *
 * File <dir>/checkpoint, 44 bytes, big-endian:
 *
 *   off  size  field
 *     0     4  magic            0x46435031 "FCP1"
 *     4     4  version          1
 *     8     8  flushed_pos      CommitLog durable up to here
 *    16     8  dispatch_pos     ConsumeQueues and index durable up to here
 *                               (always a record boundary)
 *    24     8  flushed_store_ts store time of the newest record covered
 *    32     8  written_ms       wall clock at write
 *    40     4  crc32c           over [0, 40)
 *
 * Written atomically: checkpoint.tmp is written and fdatasync'd, then
 * renamed over checkpoint.  A crash leaves the old or the new file, both
 * valid lower bounds (the directory is not fsync'd: losing the rename only
 * loses progress).  A file with a bad magic or CRC reads as "no checkpoint",
 * which makes recovery scan the whole CommitLog.
 *
 * Written by flush_full() (flush thread every flush_interval_ms, and
 * store_flush_all / store_close), never by SYNC group commits, which only
 * sync the CommitLog.
 */
#include "store_int.h"

#include "buf.h"
#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHECKPOINT_MAGIC 0x46435031u
#define CHECKPOINT_SIZE  44

int checkpoint_read(const char *dir, checkpoint *cp)
{
    char path[STORE_PATH_MAX];
    snprintf(path, sizeof(path), "%s/checkpoint", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return STORE_ENOENT;
    uint8_t b[CHECKPOINT_SIZE];
    ssize_t n = pread(fd, b, sizeof(b), 0);
    close(fd);
    if (n != CHECKPOINT_SIZE || buf_get_u32be(b) != CHECKPOINT_MAGIC ||
        buf_get_u32be(b + 4) != 1 ||
        crc32c(0, b, 40) != buf_get_u32be(b + 40))
        return STORE_ECORRUPT;
    cp->flushed_pos = (int64_t)buf_get_u64be(b + 8);
    cp->dispatch_pos = (int64_t)buf_get_u64be(b + 16);
    cp->flushed_store_ts = (int64_t)buf_get_u64be(b + 24);
    cp->written_ms = (int64_t)buf_get_u64be(b + 32);
    if (cp->flushed_pos < 0 || cp->dispatch_pos < 0)
        return STORE_ECORRUPT;
    return 0;
}

int checkpoint_write(const char *dir, const checkpoint *cp)
{
    char path[STORE_PATH_MAX], tmp[STORE_PATH_MAX];
    snprintf(path, sizeof(path), "%s/checkpoint", dir);
    snprintf(tmp, sizeof(tmp), "%s/checkpoint.tmp", dir);
    uint8_t b[CHECKPOINT_SIZE];
    buf_put_u32be(b, CHECKPOINT_MAGIC);
    buf_put_u32be(b + 4, 1);
    buf_put_u64be(b + 8, (uint64_t)cp->flushed_pos);
    buf_put_u64be(b + 16, (uint64_t)cp->dispatch_pos);
    buf_put_u64be(b + 24, (uint64_t)cp->flushed_store_ts);
    buf_put_u64be(b + 32, (uint64_t)cp->written_ms);
    buf_put_u32be(b + 40, crc32c(0, b, 40));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return STORE_EIO;
    int ok = pwrite(fd, b, sizeof(b), 0) == (ssize_t)sizeof(b) &&
             fdatasync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return STORE_EIO;
    }
    return 0;
}

/*
 * crc32c.h - CRC-32C (Castagnoli), as used by Kafka record batches and by
 * every Ferry CommitLog record.
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
 * run time), else a slicing-by-8 table.  Thread-safe after the first call.
 */
#ifndef FERRY_CRC32C_H
#define FERRY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: pass 0 to start.  Returns the finished CRC value (the
 * pre/post inversion is handled inside, so calls chain:
 * crc32c(crc32c(0, a, n), b, m) == crc32c(0, ab, n + m)). */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif /* FERRY_CRC32C_H */

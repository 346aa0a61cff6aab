/*
 * wire_arena.h - bump arena for decoded request arrays.
 *
 * A decoder fills a caller-owned struct; arrays inside it (topics,
 * partitions, ...) come from an arena that the connection resets after each
 * reply (after nginx's ngx_pool_t).  Strings and bytes are never copied here:
 * they stay views into the frame.
 *
 * Invariants:
 *   - every block returned is zeroed and aligned to WIRE_ARENA_ALIGN;
 *   - the total handed out since the last reset never exceeds `cap`, so a
 *     hostile request (a million empty partitions) cannot make the arena grow
 *     without bound: the allocation fails and the decoder reports an error;
 *   - an all-zero wire_arena is valid (default chunk size and cap);
 *   - wire_arena_reset keeps the first chunk for reuse, frees the rest.
 *
 * Not thread-safe; one arena per connection.
 */
#ifndef FERRY_WIRE_ARENA_H
#define FERRY_WIRE_ARENA_H

#include <stddef.h>

#define WIRE_ARENA_ALIGN         16
#define WIRE_ARENA_DEFAULT_CHUNK (16u * 1024u)
#define WIRE_ARENA_DEFAULT_CAP   (64u * 1024u * 1024u)

struct wire_arena_chunk;

typedef struct wire_arena {
    struct wire_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;             /* 0 = WIRE_ARENA_DEFAULT_CHUNK */
    size_t cap;                    /* 0 = WIRE_ARENA_DEFAULT_CAP */
    size_t used;                   /* bytes handed out since last reset */
} wire_arena;

/* chunk_size / cap of 0 take the defaults. */
void wire_arena_init(wire_arena *a, size_t chunk_size, size_t cap);
/* Forget every allocation; keeps one chunk for reuse. */
void wire_arena_reset(wire_arena *a);
/* Free everything; the arena is then an all-zero, valid empty arena. */
void wire_arena_release(wire_arena *a);
/* n zeroed, aligned bytes, or NULL when out of memory or past the cap.
 * n == 0 returns a valid non-NULL pointer. */
void *wire_arena_alloc(wire_arena *a, size_t n);
/* count * size zeroed bytes with overflow check; NULL on failure. */
void *wire_arena_calloc(wire_arena *a, size_t count, size_t size);

#endif /* FERRY_WIRE_ARENA_H */

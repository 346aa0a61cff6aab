/*
 * wire_arena.c - bump arena for decoded arrays (see wire_arena.h).
 *
 * Chunks are a singly linked list, newest first.  An allocation larger than
 * a chunk gets a chunk of its own.  `used` counts bytes handed out (after
 * alignment) and is checked against `cap` before any malloc, so the cap
 * bounds both the memory and the work a hostile frame can cause.
 */
#include "wire_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct wire_arena_chunk {
    struct wire_arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t off;  /* next free byte in data[] */
    _Alignas(WIRE_ARENA_ALIGN) unsigned char data[];
};

void wire_arena_init(wire_arena *a, size_t chunk_size, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->chunk_size = chunk_size;
    a->cap = cap;
}

static size_t arena_chunk_size(const wire_arena *a)
{
    return a->chunk_size ? a->chunk_size : WIRE_ARENA_DEFAULT_CHUNK;
}

static size_t arena_cap(const wire_arena *a)
{
    return a->cap ? a->cap : WIRE_ARENA_DEFAULT_CAP;
}

void wire_arena_reset(wire_arena *a)
{
    struct wire_arena_chunk *c = a->head, *keep = NULL;

    while (c) {
        struct wire_arena_chunk *next = c->next;
        /* keep the last (oldest) chunk if it is a standard one */
        if (!next && c->size == arena_chunk_size(a))
            keep = c;
        else
            free(c);
        c = next;
    }
    if (keep) {
        keep->off = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used = 0;
}

void wire_arena_release(wire_arena *a)
{
    struct wire_arena_chunk *c = a->head;

    while (c) {
        struct wire_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *wire_arena_alloc(wire_arena *a, size_t n)
{
    struct wire_arena_chunk *c;
    size_t need, csize;
    void *p;

    if (n > SIZE_MAX - WIRE_ARENA_ALIGN)
        return NULL;
    need = (n + WIRE_ARENA_ALIGN - 1) & ~(size_t)(WIRE_ARENA_ALIGN - 1);
    if (need == 0)
        need = WIRE_ARENA_ALIGN;
    if (need > arena_cap(a) || a->used > arena_cap(a) - need)
        return NULL;

    c = a->head;
    if (!c || c->size - c->off < need) {
        csize = arena_chunk_size(a);
        if (csize < need)
            csize = need;
        c = malloc(sizeof(*c) + csize);
        if (!c)
            return NULL;
        c->size = csize;
        c->off = 0;
        if (a->head && csize == need) {
            /* an oversize block: keep the current chunk at the head so
             * its remaining space is still used */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    p = c->data + c->off;
    c->off += need;
    a->used += need;
    memset(p, 0, need);
    return p;
}

void *wire_arena_calloc(wire_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return wire_arena_alloc(a, count * size);
}

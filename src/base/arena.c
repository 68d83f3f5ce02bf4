/*
 * arena.c: bump allocation freed all at once (nginx pools, without cleanup handlers).
 *
 *   arena -> [chunk 1 KiB] -> [chunk 2 KiB] -> ... -> [chunk 64 KiB] -> [64 KiB] ...
 *             ^ head (current)
 *
 * Allocations are 8-byte aligned and carved from the head chunk; when it is full a new chunk
 * of twice the previous size (capped at 64 KiB, or the request itself when larger) becomes
 * the head. Freeing the arena frees every chunk. The first chunk is small so that an
 * execution parked in a Wait state costs little memory, and it shares one heap block with
 * the arena header:
 *
 *   [ sx_arena_t | chunk_t | first chunk data ... ]   one malloc of `first` bytes
 *
 * so a small arena is exactly one allocation of an allocator-friendly size.
 */
#include <stdio.h>
#include <string.h>

#include "stepx/sx.h"

#define CHUNK_MAX (64 * 1024)

typedef struct chunk {
    struct chunk *next; /* previously filled chunk */
    size_t size;        /* usable bytes in data */
    size_t used;        /* bytes handed out */
    _Alignas(8) unsigned char data[];
} chunk_t;

struct sx_arena {
    chunk_t *head;   /* chunk being filled */
    size_t used;     /* bytes handed out over all chunks */
    size_t reserved; /* bytes taken from the heap */
    size_t next;     /* size of the next chunk */
    _Alignas(8) chunk_t first[]; /* the embedded first chunk (not freed on its own) */
};

static chunk_t *
chunk_new(sx_arena_t *a, size_t size)
{
    chunk_t *c = sx_malloc(sizeof(chunk_t) + size);
    c->next = a->head;
    c->size = size;
    c->used = 0;
    a->head = c;
    a->reserved += sizeof(chunk_t) + size;
    return c;
}

sx_arena_t *
sx_arena_new(size_t first)
{
    size_t block = first ? first : 1024;
    size_t hdr = sizeof(sx_arena_t) + sizeof(chunk_t);
    if (block < hdr + 64)
        block = hdr + 64;
    sx_arena_t *a = sx_malloc(block);
    chunk_t *c = a->first;
    c->next = NULL;
    c->size = (block - hdr) & ~(size_t)7;
    c->used = 0;
    a->head = c;
    a->used = 0;
    a->reserved = block;
    a->next = c->size * 2;
    return a;
}

size_t
sx_arena_block_size(size_t data)
{
    size_t need = data + sizeof(sx_arena_t) + sizeof(chunk_t);
    if (need <= 128)
        return (need + 15) & ~(size_t)15;
    /* jemalloc's classes above 128 bytes: four per doubling, 2^k + i * 2^(k-2). */
    size_t base = 128;
    while (base * 2 < need)
        base *= 2;
    size_t step = base / 4;
    return base + ((need - base + step - 1) / step) * step;
}

void
sx_arena_free(sx_arena_t *a)
{
    if (a == NULL)
        return;
    chunk_t *c = a->head;
    while (c != NULL) {
        chunk_t *next = c->next;
        if (c != a->first)
            sx_free(c);
        c = next;
    }
    sx_free(a);
}

void *
sx_arena_alloc(sx_arena_t *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    chunk_t *c = a->head;
    if (SX_UNLIKELY(c == NULL || c->size - c->used < n)) {
        size_t size = a->next;
        if (a->next < CHUNK_MAX)
            a->next *= 2;
        if (size < n)
            size = n;
        c = chunk_new(a, size);
    }
    void *p = c->data + c->used;
    c->used += n;
    a->used += n;
    return p;
}

void *
sx_arena_calloc(sx_arena_t *a, size_t n)
{
    void *p = sx_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *
sx_arena_strndup(sx_arena_t *a, const char *s, size_t n)
{
    char *p = sx_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
sx_arena_vprintf(sx_arena_t *a, size_t *len, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0)
        n = 0;
    char *p = sx_arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof(small))
        memcpy(p, small, (size_t)n + 1);
    else
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (len != NULL)
        *len = (size_t)n;
    return p;
}

char *
sx_arena_printf(sx_arena_t *a, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = sx_arena_vprintf(a, len, fmt, ap);
    va_end(ap);
    return p;
}

size_t
sx_arena_used(const sx_arena_t *a)
{
    return a->used;
}

size_t
sx_arena_reserved(const sx_arena_t *a)
{
    return a->reserved;
}

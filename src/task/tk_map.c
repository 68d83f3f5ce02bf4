/*
 * tk_map.c: a pointer -> pointer hash map (open addressing, linear probing, backward-shift
 * deletion so there are no tombstones). Keys are call pointers; the table doubles at 50 %
 * load and never shrinks (a worker keeps its high-water mark). Not thread-safe: one worker.
 */
#include <string.h>

#include "tk_int.h"

static uint32_t
slot_of(const tk_map_t *m, const void *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h & (m->cap - 1);
}

static void
grow(tk_map_t *m)
{
    tk_map_t old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->n = 0;
    m->keys = sx_calloc(m->cap, sizeof(*m->keys));
    m->vals = sx_calloc(m->cap, sizeof(*m->vals));
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.keys[i] != NULL)
            tk_map_put(m, old.keys[i], old.vals[i]);
    sx_free(old.keys);
    sx_free(old.vals);
}

void
tk_map_put(tk_map_t *m, const void *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    uint32_t i = slot_of(m, key);
    while (m->keys[i] != NULL && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (m->keys[i] == NULL)
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
}

void *
tk_map_get(const tk_map_t *m, const void *key)
{
    if (m->cap == 0 || key == NULL)
        return NULL;
    uint32_t i = slot_of(m, key);
    while (m->keys[i] != NULL) {
        if (m->keys[i] == key)
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

void *
tk_map_del(tk_map_t *m, const void *key)
{
    if (m->cap == 0 || key == NULL)
        return NULL;
    uint32_t mask = m->cap - 1, i = slot_of(m, key);
    while (m->keys[i] != NULL && m->keys[i] != key)
        i = (i + 1) & mask;
    if (m->keys[i] == NULL)
        return NULL;
    void *val = m->vals[i];
    /* backward shift: move later entries of the cluster into the hole when their home slot
     * does not lie cyclically in (hole, j] */
    uint32_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (m->keys[j] == NULL)
            break;
        uint32_t home = slot_of(m, m->keys[j]);
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->keys[hole] = NULL;
    m->vals[hole] = NULL;
    m->n--;
    return val;
}

void
tk_map_each(const tk_map_t *m, void (*fn)(const void *key, void *val, void *ud), void *ud)
{
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->keys[i] != NULL)
            fn(m->keys[i], m->vals[i], ud);
}

void
tk_map_fini(tk_map_t *m)
{
    sx_free(m->keys);
    sx_free(m->vals);
    memset(m, 0, sizeof(*m));
}

/*
 * sbuf.c: a growable, NUL-terminated byte buffer on the heap (the printing side of sds).
 */
#include <stdio.h>
#include <string.h>

#include "stepx/sx.h"

void
sx_sbuf_reserve(sx_sbuf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->p = sx_realloc(b->p, cap);
    b->cap = cap;
}

void
sx_sbuf_add(sx_sbuf_t *b, const void *p, size_t n)
{
    sx_sbuf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
sx_sbuf_adds(sx_sbuf_t *b, const char *s)
{
    sx_sbuf_add(b, s, strlen(s));
}

void
sx_sbuf_vaddf(sx_sbuf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    sx_sbuf_reserve(b, 64);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        sx_sbuf_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    }
    if (n > 0)
        b->len += (size_t)n;
    va_end(ap2);
}

void
sx_sbuf_addf(sx_sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sx_sbuf_vaddf(b, fmt, ap);
    va_end(ap);
}

void
sx_sbuf_reset(sx_sbuf_t *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void
sx_sbuf_fini(sx_sbuf_t *b)
{
    sx_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

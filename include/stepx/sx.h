/*
 * sx.h: the base every stepx module builds on.
 *
 * - Status codes for the server itself (SX_OK, SX_ERR, SX_AGAIN, SX_DECLINED). ASL errors are
 *   data (sx_err_t), never status codes.
 * - sx_malloc and friends: the only allocator entry points. jemalloc in release builds, libc
 *   under sanitizers. Out of memory aborts.
 * - sx_arena_t: a bump allocator freed all at once. Every value of an execution lives in the
 *   execution's arena; nothing frees a single value.
 * - sx_sbuf_t: a growable byte buffer on the heap, for printing and building strings.
 */
#ifndef STEPX_SX_H
#define STEPX_SX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SX_OK 0
#define SX_ERR (-1)
#define SX_AGAIN (-2)
#define SX_DECLINED (-5)

#define SX_UNUSED(x) ((void)(x))
#define SX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SX_LIKELY(x) __builtin_expect(!!(x), 1)
#define SX_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Defensive branches (sqlite's ALWAYS/NEVER): the condition is expected to hold; debug
 * builds abort when it does not, release builds take the safe branch. */
void sx_defensive_fail(const char *expr, const char *file, int line);
#ifdef NDEBUG
#define SX_ALWAYS(x) (x)
#define SX_NEVER(x) (x)
#else
#define SX_ALWAYS(x) ((x) ? 1 : (sx_defensive_fail(#x, __FILE__, __LINE__), 0))
#define SX_NEVER(x) ((x) ? (sx_defensive_fail(#x, __FILE__, __LINE__), 1) : 0)
#endif

/* ---- allocation (abort on OOM) ---- */
void *sx_malloc(size_t n);
void *sx_calloc(size_t n, size_t size);
void *sx_realloc(void *p, size_t n);
void sx_free(void *p);
char *sx_strdup(const char *s);
char *sx_strndup(const char *s, size_t n);

/* Fault injection for tests/fault: when armed, the Nth sx_malloc from now returns through
 * the OOM path (which aborts by default, or calls the hook when one is set). */
typedef void (*sx_oom_hook_t)(size_t n);
void sx_oom_set_hook(sx_oom_hook_t hook);

/* ---- arena ---- */
typedef struct sx_arena sx_arena_t;

/* Returns a new arena made of one heap block of `first` bytes (0 = default 1 KiB) holding
 * the arena header and its first chunk: pick an allocator size class (jemalloc: 512, 640,
 * 768, 896, 1024, ...). Later chunks double up to 64 KiB. */
sx_arena_t *sx_arena_new(size_t first);
/* Returns the smallest allocator size class whose block holds the arena header plus `data`
 * bytes of first chunk: the `first` to pass to sx_arena_new for that much data. */
size_t sx_arena_block_size(size_t data);
/* Frees the arena and everything allocated in it. NULL is allowed. */
void sx_arena_free(sx_arena_t *a);
/* Returns `n` bytes aligned to 8, valid until the arena is freed. Never NULL. */
void *sx_arena_alloc(sx_arena_t *a, size_t n);
/* Same, zero-filled. */
void *sx_arena_calloc(sx_arena_t *a, size_t n);
/* Copies n bytes of s plus a NUL terminator into the arena. */
char *sx_arena_strndup(sx_arena_t *a, const char *s, size_t n);
/* printf into the arena; returns the NUL-terminated string, length in *len if non-NULL. */
char *sx_arena_printf(sx_arena_t *a, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
char *sx_arena_vprintf(sx_arena_t *a, size_t *len, const char *fmt, va_list ap);
/* Bytes handed out so far, and bytes reserved from the heap (for memory accounting). */
size_t sx_arena_used(const sx_arena_t *a);
size_t sx_arena_reserved(const sx_arena_t *a);

/* ---- growable buffer ---- */
typedef struct sx_sbuf {
    char *p;    /* heap; NUL-terminated while non-NULL */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes reserved */
} sx_sbuf_t;

#define SX_SBUF_INIT {NULL, 0, 0}
void sx_sbuf_reserve(sx_sbuf_t *b, size_t extra);
void sx_sbuf_add(sx_sbuf_t *b, const void *p, size_t n);
static inline void
sx_sbuf_addc(sx_sbuf_t *b, char c)
{
    if (SX_UNLIKELY(b->len + 2 > b->cap))
        sx_sbuf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}
void sx_sbuf_adds(sx_sbuf_t *b, const char *s);
void sx_sbuf_addf(sx_sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sx_sbuf_vaddf(sx_sbuf_t *b, const char *fmt, va_list ap);
void sx_sbuf_reset(sx_sbuf_t *b); /* len = 0, keeps memory */
void sx_sbuf_fini(sx_sbuf_t *b);  /* frees memory */

/* ---- time ---- */
/* Wall clock in ms since the epoch, and a monotonic clock in ns. */
int64_t sx_wall_ms(void);
uint64_t sx_mono_ns(void);

/* ---- small utilities ---- */
/* Reads a whole file into a heap buffer (NUL-terminated). Returns SX_OK or SX_ERR (errno). */
int sx_read_file(const char *path, char **out, size_t *len);
/* Formats ms since the epoch as ISO-8601 UTC with milliseconds: 2024-01-02T03:04:05.678Z.
 * buf must hold 40 bytes. */
void sx_fmt_iso_ms(int64_t ms, char *buf);
/* Writes a random RFC 4122 version-4 UUID (lowercase, 36 chars + NUL) into buf. */
void sx_uuid4(char *buf);
/* Fills buf with n bytes from the OS random source (getrandom; falls back to a PRNG). */
void sx_random_bytes(void *buf, size_t n);

#endif

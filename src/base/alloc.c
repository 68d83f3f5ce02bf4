/*
 * alloc.c: the allocator entry points and small process-wide utilities.
 *
 * All heap allocation in stepx goes through sx_malloc & co. Release builds link jemalloc,
 * which replaces malloc itself, so these stay thin wrappers; sanitizer builds use libc.
 * Out of memory aborts after calling the optional hook (tests/fault installs one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "stepx/err.h"
#include "stepx/sx.h"

static sx_oom_hook_t oom_hook;

void
sx_oom_set_hook(sx_oom_hook_t hook)
{
    oom_hook = hook;
}

static void
oom(size_t n)
{
    if (oom_hook != NULL)
        oom_hook(n);
    fprintf(stderr, "stepx: out of memory allocating %zu bytes\n", n);
    abort();
}

void
sx_defensive_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "stepx: defensive check failed: %s at %s:%d\n", expr, file, line);
    abort();
}

void *
sx_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (SX_UNLIKELY(p == NULL))
        oom(n);
    return p;
}

void *
sx_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (SX_UNLIKELY(p == NULL))
        oom(n * size);
    return p;
}

void *
sx_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (SX_UNLIKELY(q == NULL))
        oom(n);
    return q;
}

void
sx_free(void *p)
{
    free(p);
}

char *
sx_strndup(const char *s, size_t n)
{
    char *p = sx_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
sx_strdup(const char *s)
{
    return sx_strndup(s, strlen(s));
}

int64_t
sx_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
sx_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
sx_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return SX_ERR;
    sx_sbuf_t b = SX_SBUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sx_sbuf_add(&b, chunk, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        sx_sbuf_fini(&b);
        errno = EIO;
        return SX_ERR;
    }
    sx_sbuf_reserve(&b, 1);
    b.p[b.len] = '\0';
    *out = b.p;
    *len = b.len;
    return SX_OK;
}

void
sx_fmt_iso_ms(int64_t ms, char *buf)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void
sx_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got <= 0) {
            /* No entropy source: fall back to a time-seeded xorshift. */
            uint64_t x = sx_mono_ns() ^ (uint64_t)(uintptr_t)p;
            while (n > 0) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *p++ = (unsigned char)x;
                n--;
            }
            return;
        }
        p += got;
        n -= (size_t)got;
    }
}

void
sx_uuid4(char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    sx_random_bytes(r, sizeof(r));
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    char *o = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[r[i] >> 4];
        *o++ = hex[r[i] & 15];
    }
    *o = '\0';
}

/* ---- ASL error names ---- */
const char ASL_E_ALL[] = "States.ALL";
const char ASL_E_TIMEOUT[] = "States.Timeout";
const char ASL_E_HEARTBEAT_TIMEOUT[] = "States.HeartbeatTimeout";
const char ASL_E_TASK_FAILED[] = "States.TaskFailed";
const char ASL_E_PERMISSIONS[] = "States.Permissions";
const char ASL_E_RESULT_PATH_MATCH[] = "States.ResultPathMatchFailure";
const char ASL_E_PARAMETER_PATH[] = "States.ParameterPathFailure";
const char ASL_E_INTRINSIC_FAILURE[] = "States.IntrinsicFailure";
const char ASL_E_BRANCH_FAILED[] = "States.BranchFailed";
const char ASL_E_NO_CHOICE_MATCHED[] = "States.NoChoiceMatched";
const char ASL_E_DATA_LIMIT[] = "States.DataLimitExceeded";
const char ASL_E_RUNTIME[] = "States.Runtime";
const char ASL_E_QUERY_EVAL[] = "States.QueryEvaluationError";
const char ASL_E_TOLERATED_FAILURE[] = "States.ExceedToleratedFailureThreshold";
const char ASL_E_ITEM_READER_FAILED[] = "States.ItemReaderFailed";
const char ASL_E_RESULT_WRITER_FAILED[] = "States.ResultWriterFailed";
const char ASL_E_HTTP_SOCKET[] = "States.Http.Socket";

int
sx_err_set(sx_err_t *err, sx_arena_t *a, const char *name, const char *fmt, ...)
{
    va_list ap;
    err->name = name;
    if (fmt == NULL) {
        err->cause = NULL;
        return SX_ERR;
    }
    va_start(ap, fmt);
    err->cause = sx_arena_vprintf(a, NULL, fmt, ap);
    va_end(ap);
    return SX_ERR;
}

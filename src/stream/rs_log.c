/*
 * rs_log.c: the stream module's log sink and reply formatting for messages.
 *
 * The sink is a process-wide function pointer set once before workers start (no lock: it is
 * read-only afterwards). Messages are formatted into a stack buffer, so a sink never sees a
 * message longer than 1 KiB.
 */
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>

#include "rs_int.h"

static rs_log_fn log_fn;
static int log_max = RS_LOG_WARN;

void
rs_log_set(rs_log_fn fn, int max_level)
{
    log_fn = fn;
    log_max = max_level;
}

void
rs_log(int level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info"};
    char msg[1024];
    va_list ap;
    if (level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (log_fn != NULL)
        log_fn(level, msg);
    else
        fprintf(stderr, "stepx stream %s: %s\n", names[level < 0 ? 0 : level > 2 ? 2 : level], msg);
}

const char *
rs_reply_text(const struct redisReply *r, char *buf, size_t len)
{
    if (r == NULL)
        snprintf(buf, len, "(no reply)");
    else if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS ||
             r->type == REDIS_REPLY_STRING)
        snprintf(buf, len, "%.*s", (int)(r->len > 200 ? 200 : r->len), r->str);
    else if (r->type == REDIS_REPLY_INTEGER)
        snprintf(buf, len, "(integer) %lld", r->integer);
    else if (r->type == REDIS_REPLY_ARRAY)
        snprintf(buf, len, "(array %zu)", r->elements);
    else
        snprintf(buf, len, "(nil)");
    return buf;
}

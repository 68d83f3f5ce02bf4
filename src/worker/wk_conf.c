/*
 * wk_conf.c: stepxd's own configuration keys (cfg.h directive table) and its log sink.
 *
 * The server loads four sections with the same file and flags: rs_conf_directives (Redis,
 * streams), tk_conf_directives (Task integrations), log_conf_directives (execution logs) and
 * the table below. docs/configuration.md lists them all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wk_int.h"

static int
check_level(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *s = *(char *const *)field;
    SX_UNUSED(d);
    if (s != NULL && (strcmp(s, "error") == 0 || strcmp(s, "warn") == 0 || strcmp(s, "info") == 0))
        return SX_OK;
    snprintf(msg, len, "want error, warn or info");
    return SX_ERR;
}

#define WK_OFF(f) offsetof(wk_conf_t, f)
#define HOUR_MS (3600LL * 1000)

const cfg_directive_t wk_conf_directives[] = {
    {"workers", CFG_INT, WK_OFF(workers), "0", NULL, 0, 256,
     "worker threads (each: one event loop, one Redis connection); 0 = one per core"},
    {"machines_dir", CFG_STR, WK_OFF(machines_dir), "conf/machines", NULL, 0, 0,
     "directory of NAME.asl.json definitions (+ NAME.meta.json); \"\" = none"},
    {"machines_registry", CFG_BOOL, WK_OFF(machines_registry), "on", NULL, 0, 0,
     "also load machines from the Redis hash {tag}:machines (overrides files)"},
    {"reload_interval", CFG_MS, WK_OFF(reload_interval_ms), "2s", NULL, 0, HOUR_MS,
     "how often to look for changed definitions (0 = never)"},
    {"max_executions", CFG_INT, WK_OFF(max_executions), "512", NULL, 1, 1000000,
     "executions in flight per worker before it stops reading (backpressure)"},
    {"metrics_bind", CFG_STR, WK_OFF(metrics_bind), "127.0.0.1", NULL, 0, 0,
     "address of the /metrics and /healthz listener"},
    {"metrics_port", CFG_INT, WK_OFF(metrics_port), "9464", NULL, 0, 65535,
     "port of the /metrics and /healthz listener (0 = none)"},
    {"shutdown_grace", CFG_MS, WK_OFF(shutdown_grace_ms), "20s", NULL, 0, HOUR_MS,
     "SIGTERM: time in-flight executions get to finish; the rest stays pending"},
    {"engine_batch", CFG_INT, WK_OFF(engine_batch), "64", NULL, 1, 1000000,
     "transitions an execution runs before yielding to other work"},
    {"jsonata_time_limit", CFG_MS, WK_OFF(jsonata_time_ms), "1s", NULL, 0, HOUR_MS,
     "wall-clock limit of one JSONata evaluation (States.QueryEvaluationError, U1001); "
     "0 = none: an endless expression would then hold its worker"},
    {"lag_interval", CFG_MS, WK_OFF(lag_interval_ms), "2s", NULL, 100, HOUR_MS,
     "how often XINFO GROUPS refreshes the lag and pending gauges"},
    {"log_level", CFG_STR, WK_OFF(log_level), "info", check_level, 0, 0,
     "server log level: error, warn or info"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

/* ---- server log (stderr, one line per message) ---- */

static void
log_line(int level, const char *msg)
{
    static const char *const names[] = {"error", "warn", "info"};
    char ts[40];
    sx_fmt_iso_ms(sx_wall_ms(), ts);
    fprintf(stderr, "%s stepxd %s: %s\n", ts, names[level < 0 || level > 2 ? 0 : level], msg);
}

static int log_max = RS_LOG_INFO;

void
wk_log_setup(const char *level)
{
    log_max = level && strcmp(level, "error") == 0  ? RS_LOG_ERROR
              : level && strcmp(level, "warn") == 0 ? RS_LOG_WARN
                                                    : RS_LOG_INFO;
    rs_log_set(log_line, log_max);
}

void
wk_log(int level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    if (level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line(level, msg);
}

void
wk_log_cb(int level, const char *msg)
{
    wk_log(level, "%s", msg);
}

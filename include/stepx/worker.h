/*
 * worker.h: stepxd, the Express fan-out server (module wk_, src/worker/).
 *
 * One process = one control thread + N worker threads:
 *
 *   control thread (main)                         worker i (x N)
 *   +------------------------------+              +-----------------------------------+
 *   | signals (SIGTERM, SIGINT)    |   inbox      | event_base (NOLOCK)               |
 *   | reload: machines dir mtimes, | -----------> | rs_consumer (own hiredis async)   |
 *   |   Redis hash {tag}:machines  |  table, stop | sch_t + ex_engine + Task resources|
 *   | evhttp /metrics /healthz     |              | executions in flight (cap)        |
 *   | XINFO GROUPS (lag, pending)  | <- - - - - - | stats: relaxed atomics            |
 *   +------------------------------+   (reads)    +-----------------------------------+
 *
 * Machines are compiled once into an immutable, refcounted table (wk_table_t) shared by
 * every worker. A reload builds a new table (compiling only what changed) and posts one
 * reference to each worker's inbox; a worker swaps its snapshot between two loop turns and
 * drops the old reference. The hot path (event -> lookup -> execution) takes no lock.
 *
 * Machines come from a directory of NAME.asl.json files (optional sidecar NAME.meta.json:
 * {"type": "EXPRESS"|"STANDARD", "tenant": "...", "loggingConfiguration": {...}}) and, when
 * machines_registry is on, from the Redis hash {tag}:machines (name -> JSON {definition,
 * type, loggingConfiguration, tenant, revision}); a Redis entry overrides a file of the same
 * name. See docs/operations.md and docs/configuration.md.
 */
#ifndef STEPX_WORKER_H
#define STEPX_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stepx/asl.h"
#include "stepx/cfg.h"
#include "stepx/log.h"
#include "stepx/stream.h"
#include "stepx/sx.h"
#include "stepx/task.h"

/* ---- configuration (wk_conf_directives; docs/configuration.md) ---- */
typedef struct wk_conf {
    int64_t workers;            /* worker threads, 0 = one per online core */
    char *machines_dir;         /* directory of NAME.asl.json (NULL/"" = none) */
    bool machines_registry;     /* also load the Redis hash {tag}:machines */
    int64_t reload_interval_ms; /* how often to look for changed definitions (0 = never) */
    int64_t max_executions;     /* executions in flight per worker before reading pauses */
    char *metrics_bind;         /* address of the /metrics and /healthz HTTP listener */
    int64_t metrics_port;       /* its port, 0 = no listener */
    int64_t shutdown_grace_ms;  /* SIGTERM: time given to in-flight executions */
    int64_t engine_batch;       /* transitions an execution runs before yielding */
    int64_t jsonata_time_ms;    /* wall-clock limit of one JSONata evaluation (0 = none) */
    int64_t lag_interval_ms;    /* how often XINFO GROUPS refreshes lag / pending */
    char *log_level;            /* server log: error, warn or info */
} wk_conf_t;

extern const cfg_directive_t wk_conf_directives[];

/* ---- machine table ---- */

/* One state machine as a worker sees it. Immutable once in a table. */
typedef struct wk_machine {
    char *name;       /* heap; machine name */
    asl_machine_t *m; /* one reference held by the entry */
    int type;         /* asl_type_t: EXPRESS (default) or STANDARD */
    char *tenant;     /* heap; default tenant from the metadata, or NULL */
    bool logging;     /* loggingConfiguration present with a level other than OFF */
    log_config_t log; /* parsed loggingConfiguration (level OFF when absent) */
    char *origin;     /* heap; "file:PATH" or "redis:{tag}:machines" */
    int64_t revision; /* registry revision (0 for files) */
    uint64_t digest;  /* hash of definition text + type, to skip recompiling */
} wk_machine_t;

typedef struct wk_table wk_table_t;

/* One definition to put in a table (all strings borrowed). */
typedef struct wk_src {
    const char *name;   /* machine name */
    const char *def;    /* definition JSON text */
    size_t def_len;     /* its bytes */
    const char *meta;   /* metadata JSON object text ({type, tenant, loggingConfiguration,
                           revision}) or NULL */
    size_t meta_len;    /* its bytes */
    const char *origin; /* where it came from, for messages */
} wk_src_t;

typedef void (*wk_log_fn)(int level, const char *msg); /* RS_LOG_* levels */

/* Builds a table from srcs. An entry whose definition and metadata did not change since
 * prev (may be NULL) reuses prev's compiled machine. A definition that fails to parse,
 * validate or compile is logged through log (may be NULL) and counted in *errors; prev's
 * entry of that name, if any, is kept instead. Returns a table with one reference. */
wk_table_t *wk_table_build(const wk_table_t *prev, const wk_src_t *srcs, size_t n, wk_log_fn log,
                           size_t *errors);
wk_table_t *wk_table_ref(wk_table_t *t);
/* Drops one reference; the last frees the table and unrefs its machines. NULL is allowed. */
void wk_table_unref(wk_table_t *t);
/* Looks a machine up by name (or by state machine ARN: the part after "stateMachine:").
 * Returns NULL when absent. Borrowed: valid while the caller holds the table. */
const wk_machine_t *wk_table_find(const wk_table_t *t, const char *name, size_t len);
size_t wk_table_count(const wk_table_t *t);
const wk_machine_t *wk_table_at(const wk_table_t *t, size_t i);
/* Number of tables built so far in this process when t was built (1, 2, ...). */
uint64_t wk_table_gen(const wk_table_t *t);

/* A set of sources read from somewhere, owning its strings. */
typedef struct wk_srcset {
    wk_src_t *v;    /* heap array */
    size_t n, cap;  /* used / allocated */
    uint64_t stamp; /* change fingerprint of what was read */
} wk_srcset_t;

void wk_srcset_init(wk_srcset_t *s);
void wk_srcset_fini(wk_srcset_t *s);
/* Adds a copy of one source (replacing an entry of the same name). */
void wk_srcset_add(wk_srcset_t *s, const wk_src_t *src);

/* Reads every NAME.asl.json of dir (and NAME.meta.json sidecars) into s. Returns SX_OK, or
 * SX_ERR with a reason in err (dir unreadable). Files that cannot be read are skipped with a
 * log line. */
int wk_dir_read(const char *dir, wk_srcset_t *s, wk_log_fn log, char *err, size_t errlen);
/* A fingerprint of the directory's NAME.asl.json / NAME.meta.json names, sizes and mtimes
 * (cheap: readdir + stat); changes whenever a reload is due. 0 when dir is unreadable. */
uint64_t wk_dir_stamp(const char *dir);
/* Converts one registry hash value (JSON {definition: object or JSON text, type, tenant,
 * loggingConfiguration, revision}) into a source added to s. Returns SX_OK or SX_ERR with a
 * reason in err. */
int wk_registry_add(wk_srcset_t *s, const char *name, size_t nlen, const char *json, size_t len,
                    const char *origin, char *err, size_t errlen);

/* ---- the server ---- */
typedef struct wk_server wk_server_t;

/* Creates the server (no thread started yet). Borrows the three configurations (they must
 * outlive it). Returns NULL with a reason in err when the machines cannot be loaded or the
 * metrics listener cannot bind. */
wk_server_t *wk_server_new(const wk_conf_t *wc, const rs_conf_t *rc, const tk_config_t *tc,
                           const log_conf_t *lc, char *err, size_t errlen);
/* Starts the workers and runs the control loop until SIGTERM/SIGINT (or wk_server_stop),
 * then drains: reading stops, in-flight executions get shutdown_grace to finish and be
 * committed, the rest stays pending for another consumer. Returns 0 when every worker
 * drained, 1 when some work was left pending, 2 when a consumer was FATAL. */
int wk_server_run(wk_server_t *s);
/* Asks a running server to drain and stop (async-signal-safe: writes to a pipe). */
void wk_server_stop(wk_server_t *s);
void wk_server_free(wk_server_t *s);

/* Sets the server log level ("error", "warn", "info") and routes the stream layer's log
 * to the same stderr sink. */
void wk_log_setup(const char *level);

/* Renders the Prometheus text exposition of s into b (used by /metrics; public for tests). */
void wk_metrics_render(wk_server_t *s, sx_sbuf_t *b);

#endif

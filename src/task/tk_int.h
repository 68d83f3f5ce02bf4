/*
 * tk_int.h: internals shared by the task integrations (src/task/ only).
 *
 * - tk_res_t: the header every resource object starts with (kind, free, counters), so one
 *   tk_resource_free / tk_resource_stats serves them all.
 * - tk_map_t: ex_call_t* -> request. The engine calls cancel() of EVERY resource for a call
 *   that is given up, so a resource must recognise its own calls without touching
 *   c->rdata (another resource may own that field): it looks the call pointer up here.
 * - tk_curl_t / tk_req_t: one libcurl multi handle driven by libevent (tk_curl.c), with the
 *   keep-alive connection cache of one worker, and one transfer per task call.
 * - helpers (tk_util.c): header and body values, percent/form encoding, name=value tables.
 */
#ifndef TK_INT_H
#define TK_INT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "stepx/task.h"

/* ---- pointer map (tk_map.c) ---- */
typedef struct tk_map {
    const void **keys; /* open addressing, NULL = empty slot */
    void **vals;       /* value per slot */
    uint32_t cap;      /* slots, a power of two (0 before first use) */
    uint32_t n;        /* used slots */
} tk_map_t;

void tk_map_put(tk_map_t *m, const void *key, void *val);
void *tk_map_get(const tk_map_t *m, const void *key);
/* Removes key; returns its value or NULL. */
void *tk_map_del(tk_map_t *m, const void *key);
/* Calls fn for every entry (do not modify m from fn). */
void tk_map_each(const tk_map_t *m, void (*fn)(const void *key, void *val, void *ud), void *ud);
void tk_map_fini(tk_map_t *m);

/* ---- resource header ---- */
typedef struct tk_res {
    const char *kind;               /* "http", "lambda", "events", "sfn" */
    void (*free)(struct tk_res *r); /* frees the whole object */
    tk_stats_t stats;               /* counters */
} tk_res_t;

/* Completes c and counts it. Both borrow; see ex_call_succeed / ex_call_fail. */
void tk_res_succeed(tk_res_t *r, ex_call_t *c, const val_t *result);
/* Same with an upper bound of result's compact JSON size (ex_call_succeed_sized). */
void tk_res_succeed_sized(tk_res_t *r, ex_call_t *c, const val_t *result, size_t json_size);
void tk_res_fail(tk_res_t *r, ex_call_t *c, const char *error, const char *cause);
/* Fails c with States.DataLimitExceeded for task `who` (AWS's cause text). */
void tk_res_data_limit(tk_res_t *r, ex_call_t *c, const char *who);

/* Fails c with States.Runtime "The Parameters '<input>' could not be used to start the Task:
 * [detail]" (AWS's wording for unusable service-integration parameters). Returns SX_OK (the
 * call was taken), for `return tk_res_bad_params(...)` from start(). */
int tk_res_bad_params(tk_res_t *r, ex_call_t *c, const char *detail);

/* ---- HTTP client over libcurl multi (tk_curl.c) ---- */
typedef struct tk_curl tk_curl_t;
typedef struct tk_req tk_req_t;
typedef void (*tk_done_fn)(tk_req_t *q);

typedef struct tk_hdr {
    char *name;  /* heap, as received */
    char *value; /* heap, trimmed */
} tk_hdr_t;

struct tk_req {
    CURL *easy;                   /* owned */
    tk_curl_t *cl;                /* the client it runs on */
    ex_call_t *call;              /* the call it serves (key in the client's map) */
    tk_done_fn done;              /* called once when the transfer ends (never after cancel) */
    void *ud;                     /* the owner's data */
    struct curl_slist *hdr_out;   /* request headers (owned) */
    char *body_out;               /* request body (owned, may be NULL) */
    int code;                     /* CURLcode of the transfer */
    char errbuf[CURL_ERROR_SIZE]; /* libcurl's detail text */
    long status;                  /* HTTP status of the last response */
    char reason[64];              /* reason phrase of the status line ("" for HTTP/2) */
    tk_hdr_t *hdrs;               /* response headers of the last response (heap) */
    uint32_t nhdrs, caphdrs;      /* used / allocated */
    size_t hdr_bytes;             /* header bytes received (capped) */
    sx_sbuf_t body;               /* response body */
    size_t cap;                   /* body limit in bytes */
    bool too_big;                 /* the body passed cap; the transfer was aborted */
};

/* Returns a client on base. Borrows cfg (timeouts, limits, TLS). */
tk_curl_t *tk_curl_new(struct event_base *base, const tk_config_t *cfg);
/* Aborts every transfer (no completion) and frees the client. */
void tk_curl_free(tk_curl_t *cl);
/* Returns a new request for call c (not started). */
tk_req_t *tk_req_new(tk_curl_t *cl, ex_call_t *c, const char *method, const char *url);
/* Adds a request header line "Name: value" (copied). */
void tk_req_header(tk_req_t *q, const char *name, const char *value);
/* Sets the request body (copied). */
void tk_req_body(tk_req_t *q, const char *p, size_t n);
/* Starts q; done(q) runs later from the event loop, then q is freed. Returns SX_OK, or
 * SX_ERR when libcurl refused it (q is freed, the caller fails the call). */
int tk_req_start(tk_req_t *q, tk_done_fn done, void *ud);
/* Frees a request that was never started. */
void tk_req_discard(tk_req_t *q);
/* Aborts the transfer serving c, if this client has one. Returns true when it had. */
bool tk_curl_cancel(tk_curl_t *cl, const ex_call_t *c);
/* Takes one response header line as libcurl hands it over (a status line starts a new
 * header block); returns len, or 0 when the headers passed their size limit (too_big).
 * Public for the fuzz target. */
size_t tk_req_header_line(tk_req_t *q, const char *p, size_t len);
/* First response header named name (case-insensitive) or NULL. */
const char *tk_req_hdr(const tk_req_t *q, const char *name);
/* Transfers started / connections opened so far (CURLINFO_NUM_CONNECTS summed). */
uint64_t tk_curl_connects(const tk_curl_t *cl);

/* ---- helpers (tk_util.c) ---- */
/* Reason phrase of an HTTP status ("" when unknown). */
const char *tk_status_text(long status);
/* Response headers as an object. lower: names lowercased. arrays: values are arrays of
 * strings (repeated headers appended), else a header's last value. Arena-owned. */
const val_t *tk_hdrs_val(sx_arena_t *a, const tk_req_t *q, bool lower, bool arrays);
/* The body as a value: parsed JSON when json and it parses, else a string ("" when empty). */
const val_t *tk_body_val(sx_arena_t *a, const char *p, size_t n, bool json);
/* Same, and *bound = an upper bound of the value's compact JSON size, for
 * ex_call_succeed_sized (parsed JSON prints no longer than its text except numbers written
 * with an exponent, "1e20"; a raw string grows by its quotes and escapes). */
const val_t *tk_body_val_sized(sx_arena_t *a, const char *p, size_t n, bool json, size_t *bound);
/* Bound of a wrapper object whose one placeholder member is null (4 bytes) once the
 * placeholder is replaced by a value of bound inner. */
size_t tk_wrap_bound(const val_t *skeleton, size_t inner);
/* True when a Content-Type names JSON (application/json, +json). */
bool tk_ctype_json(const char *ctype);
/* Appends s percent-encoded (RFC 3986 unreserved kept). */
void tk_pct_add(sx_sbuf_t *b, const char *s, size_t n);
/* Appends the text of a scalar for a query or form: strings raw, others as JSON text. */
void tk_scalar_add(sx_sbuf_t *b, const val_t *v);

typedef enum tk_arrfmt {
    TK_ARR_INDICES = 0,
    TK_ARR_BRACKETS,
    TK_ARR_REPEAT,
    TK_ARR_COMMA
} tk_arrfmt_t;
/* Appends v form-encoded (k=v&...) under key prefix (NULL at the top, where v must be an
 * object), nested keys as prefix[key]. */
void tk_form_add(sx_sbuf_t *b, const char *prefix, const val_t *v, tk_arrfmt_t fmt);

/* A parsed "name=value,name=value" table (tk_util.c). */
typedef struct tk_table {
    char **names;  /* heap */
    char **values; /* heap */
    size_t n;
} tk_table_t;
/* Parses text (NULL or "" = empty). Returns SX_OK, or SX_ERR with msg. */
int tk_table_parse(tk_table_t *t, const char *text, char *msg, size_t msglen);
/* Value for name, or NULL. */
const char *tk_table_get(const tk_table_t *t, const char *name);
void tk_table_fini(tk_table_t *t);

/* A request id as AWS prints them (uuid) in arena a. */
const char *tk_request_id(sx_arena_t *a);

#endif

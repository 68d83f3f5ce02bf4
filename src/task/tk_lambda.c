/*
 * tk_lambda.c: AWS Lambda for Task states, over HTTP to configured endpoints.
 *
 *   arn:aws:states:::lambda:invoke        Parameters FunctionName (name, name:qualifier,
 *                                         partial or full function ARN), Payload, Qualifier,
 *                                         InvocationType (RequestResponse|Event|DryRun),
 *                                         ClientContext (base64), LogType
 *   arn:aws:lambda:R:A:function:NAME[:Q]  the legacy form: the effective input is the payload
 *
 * A function is mapped to a URL by the lambda_functions table (tk_config_t): "name:qualifier"
 * first, then "name", then "*"; "{name}" in the URL is replaced by the function name, so
 * `*=http://h:p/2015-03-31/functions/{name}/invocations` serves every function of a Lambda
 * API look-alike, and `f=http://h:9000/2015-03-31/functions/function/invocations` is the
 * Lambda Runtime Interface Emulator. The payload is POSTed with X-Amz-Invocation-Type (and
 * X-Amz-Client-Context, X-Amz-Log-Type when given, ?Qualifier=Q when there is one).
 *
 * Results (the shapes of the mocked Lambda conformance cases):
 * - lambda:invoke: {"ExecutedVersion", "Payload", "SdkHttpMetadata": {"AllHttpHeaders":
 *   {name: [values]}, "HttpHeaders": {name: value}, "HttpStatusCode"}, "SdkResponseMetadata":
 *   {"RequestId"}, "StatusCode"}; ExecutedVersion from X-Amz-Executed-Version (else the
 *   qualifier, else "$LATEST"), RequestId from x-amzn-RequestId (else a fresh UUID).
 * - function ARN: the payload alone.
 * The payload is the response parsed as JSON, or the response text when it is not JSON.
 *
 * Errors:
 * - function error (X-Amz-Function-Error set, or the RIE's 200 with a body made only of
 *   errorMessage/errorType/stackTrace/requestId/trace/cause and a string errorType): error =
 *   errorType (Lambda.Unknown without one); cause = the error payload, re-serialised compactly
 *   for lambda:invoke and verbatim for a function ARN (as the recorded cases show).
 * - unmapped function: Lambda.ResourceNotFoundException at start, with the AWS SDK cause
 *   "Function not found: <arn>:<qualifier|$LATEST> (Service: AWSLambda; Status Code: 404;
 *   Error Code: ResourceNotFoundException; Request ID: <uuid>; Proxy: null)" (recorded).
 * - non-2xx from the endpoint: Lambda.<x-amzn-ErrorType> (else by status: 404
 *   ResourceNotFoundException, 413 RequestTooLargeException, 429 TooManyRequestsException,
 *   5xx ServiceException, other AWSLambdaException), same cause format with the body's
 *   message.
 * - transport failure: Lambda.SdkClientException, cause "Unable to execute HTTP request:
 *   <libcurl text>" (the AWS Java SDK's wording; AWS recommends retrying on this name).
 * - response over max_response: States.DataLimitExceeded naming "lambda" or the function ARN.
 */
#include <stdio.h>
#include <string.h>

#include "tk_int.h"

#define INVOKE_ARN "arn:aws:states:::lambda:invoke"
#define FN_ARN_PREFIX "arn:aws:lambda:"

typedef struct tk_lambda {
    tk_res_t h;             /* header: kind, free, counters */
    tk_curl_t *cl;          /* the worker's HTTP client for Lambda */
    const tk_config_t *cfg; /* borrowed */
    tk_table_t fns;         /* function -> URL */
} tk_lambda_t;

/* A parsed function reference. Strings live in the call's arena. */
typedef struct fn_ref {
    const char *name;    /* function name */
    const char *qual;    /* qualifier or NULL */
    const char *region;  /* from an ARN, else the configured region */
    const char *account; /* from an ARN, else the configured account */
} fn_ref_t;

typedef struct lcall {
    tk_lambda_t *r;   /* the resource */
    bool invoke;      /* lambda:invoke (else a function ARN) */
    const char *qual; /* qualifier or NULL */
} lcall_t;

static const char *
dup_part(sx_arena_t *a, const char *p, size_t n)
{
    return sx_arena_strndup(a, p, n);
}

/* Splits s at ':' into at most 8 parts; returns the count. */
static int
split(const char *s, const char *parts[8], size_t lens[8])
{
    int n = 0;
    while (n < 8) {
        size_t k = strcspn(s, ":");
        parts[n] = s;
        lens[n++] = k;
        if (s[k] == '\0')
            break;
        s += k + 1;
    }
    return n;
}

/* Parses "name", "name:q", "acct:function:name[:q]" or "arn:aws:lambda:r:a:function:name[:q]".
 * Returns false when it is none of them. */
static bool
fn_parse(sx_arena_t *a, const tk_config_t *cfg, const char *s, fn_ref_t *f)
{
    const char *p[8];
    size_t l[8];
    int n = split(s, p, l);
    f->region = cfg->region;
    f->account = cfg->account;
    f->qual = NULL;
    if (n >= 7 && l[0] == 3 && memcmp(p[0], "arn", 3) == 0) {
        if (n > 8 || l[5] != 8 || memcmp(p[5], "function", 8) != 0 || l[6] == 0)
            return false;
        f->region = dup_part(a, p[3], l[3]);
        f->account = dup_part(a, p[4], l[4]);
        f->name = dup_part(a, p[6], l[6]);
        f->qual = n == 8 ? dup_part(a, p[7], l[7]) : NULL;
    } else if (n >= 3 && l[1] == 8 && memcmp(p[1], "function", 8) == 0) {
        if (n > 4 || l[2] == 0)
            return false;
        f->account = dup_part(a, p[0], l[0]);
        f->name = dup_part(a, p[2], l[2]);
        f->qual = n == 4 ? dup_part(a, p[3], l[3]) : NULL;
    } else if (n <= 2 && l[0] > 0) {
        f->name = dup_part(a, p[0], l[0]);
        f->qual = n == 2 ? dup_part(a, p[1], l[1]) : NULL;
    } else {
        return false;
    }
    if (f->qual != NULL && f->qual[0] == '\0')
        return false;
    return true;
}

/* URL of f from the table (arena string), or NULL when unmapped. */
static const char *
fn_url(const tk_lambda_t *r, sx_arena_t *a, const fn_ref_t *f)
{
    const char *u = NULL;
    if (f->qual != NULL)
        u = tk_table_get(&r->fns, sx_arena_printf(a, NULL, "%s:%s", f->name, f->qual));
    if (u == NULL)
        u = tk_table_get(&r->fns, f->name);
    if (u == NULL)
        u = tk_table_get(&r->fns, "*");
    if (u == NULL)
        return NULL;
    sx_sbuf_t b = SX_SBUF_INIT;
    for (const char *p = u; *p != '\0';) {
        if (strncmp(p, "{name}", 6) == 0) {
            tk_pct_add(&b, f->name, strlen(f->name));
            p += 6;
        } else {
            sx_sbuf_addc(&b, *p++);
        }
    }
    if (f->qual != NULL) {
        sx_sbuf_adds(&b, strchr(b.p, '?') != NULL ? "&Qualifier=" : "?Qualifier=");
        tk_pct_add(&b, f->qual, strlen(f->qual));
    }
    const char *out = sx_arena_strndup(a, b.p, b.len);
    sx_sbuf_fini(&b);
    return out;
}

static const char *
sdk_cause(sx_arena_t *a, const char *msg, long status, const char *code, const char *rid)
{
    return sx_arena_printf(a, NULL,
                           "%s (Service: AWSLambda; Status Code: %ld; Error Code: %s; Request "
                           "ID: %s; Proxy: null)",
                           msg, status, code, rid);
}

static void
not_found(tk_lambda_t *r, ex_call_t *c, const fn_ref_t *f)
{
    sx_arena_t *a = c->arena;
    const char *msg =
        sx_arena_printf(a, NULL, "Function not found: arn:aws:lambda:%s:%s:function:%s:%s",
                        f->region, f->account, f->name, f->qual != NULL ? f->qual : "$LATEST");
    tk_res_fail(&r->h, c, "Lambda.ResourceNotFoundException",
                sdk_cause(a, msg, 404, "ResourceNotFoundException", tk_request_id(a)));
}

/* ---- response ---- */

static bool
rie_error_shape(const val_t *v)
{
    static const char *const keys[] = {"errorMessage", "errorType", "stackTrace",
                                       "requestId",    "trace",     "cause"};
    if (!val_is(v, VAL_OBJ) || !val_is(val_obj_gets(v, "errorType"), VAL_STR) ||
        val_obj_gets(v, "errorMessage") == NULL)
        return false;
    for (size_t i = 0; i < val_len(v); i++) {
        const char *k = val_str_get(val_obj_at(v, i)->key);
        size_t j = 0;
        while (j < SX_ARRAY_LEN(keys) && strcmp(k, keys[j]) != 0)
            j++;
        if (j == SX_ARRAY_LEN(keys))
            return false;
    }
    return true;
}

static void
http_error(lcall_t *lc, tk_req_t *q, const char *rid)
{
    ex_call_t *c = q->call;
    sx_arena_t *a = c->arena;
    const char *et = tk_req_hdr(q, "x-amzn-ErrorType");
    const char *code;
    if (et != NULL && et[0] != '\0')
        code = sx_arena_strndup(a, et, strcspn(et, ":"));
    else if (q->status == 404)
        code = "ResourceNotFoundException";
    else if (q->status == 413)
        code = "RequestTooLargeException";
    else if (q->status == 429)
        code = "TooManyRequestsException";
    else if (q->status >= 500)
        code = "ServiceException";
    else
        code = "AWSLambdaException";
    const val_t *body = tk_body_val(a, q->body.p, q->body.len, true);
    const val_t *m = val_obj_gets(body, "message");
    if (m == NULL)
        m = val_obj_gets(body, "Message");
    const char *msg = val_is(m, VAL_STR)
                          ? val_str_get(m)
                          : sx_arena_strndup(a, q->body.p ? q->body.p : "", q->body.len);
    tk_res_fail(&lc->r->h, c, sx_arena_printf(a, NULL, "Lambda.%s", code),
                sdk_cause(a, msg, q->status, code, rid));
}

static const val_t *
invoke_result(lcall_t *lc, tk_req_t *q, const val_t *payload, const char *rid)
{
    sx_arena_t *a = q->call->arena;
    const char *ver = tk_req_hdr(q, "X-Amz-Executed-Version");
    if (ver == NULL)
        ver = lc->qual != NULL ? lc->qual : "$LATEST";
    val_objb_t md, rm, ob;
    val_objb_init(&md, a, 3);
    val_objb_sets(&md, "AllHttpHeaders", tk_hdrs_val(a, q, false, true));
    val_objb_sets(&md, "HttpHeaders", tk_hdrs_val(a, q, false, false));
    val_objb_sets(&md, "HttpStatusCode", val_num(a, (double)q->status));
    val_objb_init(&rm, a, 1);
    val_objb_sets(&rm, "RequestId", val_strz(a, rid));
    val_objb_init(&ob, a, 5);
    val_objb_sets(&ob, "ExecutedVersion", val_strz(a, ver));
    val_objb_sets(&ob, "Payload", payload);
    val_objb_sets(&ob, "SdkHttpMetadata", val_objb_done(&md));
    val_objb_sets(&ob, "SdkResponseMetadata", val_objb_done(&rm));
    val_objb_sets(&ob, "StatusCode", val_num(a, (double)q->status));
    return val_objb_done(&ob);
}

static void
lambda_done(tk_req_t *q)
{
    lcall_t *lc = q->ud;
    ex_call_t *c = q->call;
    sx_arena_t *a = c->arena;
    tk_res_t *h = &lc->r->h;
    if (q->too_big) {
        tk_res_data_limit(h, c, lc->invoke ? "lambda" : c->resource);
        return;
    }
    if (q->code != CURLE_OK) {
        const char *why = q->errbuf[0] != '\0' ? q->errbuf : curl_easy_strerror(q->code);
        tk_res_fail(h, c, "Lambda.SdkClientException",
                    sx_arena_printf(a, NULL, "Unable to execute HTTP request: %s", why));
        return;
    }
    const char *rid = tk_req_hdr(q, "x-amzn-RequestId");
    rid = rid != NULL ? sx_arena_strndup(a, rid, strlen(rid)) : tk_request_id(a);
    if (q->status < 200 || q->status >= 300) {
        http_error(lc, q, rid);
        return;
    }
    size_t psz;
    const val_t *payload = tk_body_val_sized(a, q->body.p, q->body.len, true, &psz);
    if (tk_req_hdr(q, "X-Amz-Function-Error") != NULL || rie_error_shape(payload)) {
        const val_t *et = val_obj_gets(payload, "errorType");
        const char *name = val_is(et, VAL_STR) ? val_str_get(et) : "Lambda.Unknown";
        const char *cause = lc->invoke && !val_is(payload, VAL_STR)
                                ? val_json_str(a, payload, NULL)
                                : sx_arena_strndup(a, q->body.p ? q->body.p : "", q->body.len);
        tk_res_fail(h, c, name, cause);
        return;
    }
    if (!lc->invoke) {
        tk_res_succeed_sized(h, c, payload, psz);
        return;
    }
    /* the wrapper measured once with a null Payload, plus the payload's bound */
    const val_t *res = invoke_result(lc, q, payload, rid);
    size_t sz = tk_wrap_bound(invoke_result(lc, q, val_null(), rid), psz);
    tk_res_succeed_sized(h, c, res, sz);
}

/* ---- start ---- */

static int
start_invoke(tk_lambda_t *r, ex_call_t *c, fn_ref_t *f, sx_sbuf_t *body, const char **itype)
{
    const val_t *in = c->input;
    if (!val_is(in, VAL_OBJ))
        return tk_res_bad_params(&r->h, c, "Parameters must be an object");
    const val_t *fn = val_obj_gets(in, "FunctionName"), *q = val_obj_gets(in, "Qualifier");
    const val_t *it = val_obj_gets(in, "InvocationType"), *p = val_obj_gets(in, "Payload");
    if (!val_is(fn, VAL_STR) || !fn_parse(c->arena, r->cfg, val_str_get(fn), f))
        return tk_res_bad_params(&r->h, c,
                                 "The field 'FunctionName' must be a function name "
                                 "or ARN");
    if (q != NULL && !val_is(q, VAL_STR))
        return tk_res_bad_params(&r->h, c, "The field 'Qualifier' must be a string");
    if (q != NULL)
        f->qual = val_str_get(q);
    if (it != NULL && (!val_is(it, VAL_STR) || (strcmp(val_str_get(it), "RequestResponse") != 0 &&
                                                strcmp(val_str_get(it), "Event") != 0 &&
                                                strcmp(val_str_get(it), "DryRun") != 0)))
        return tk_res_bad_params(&r->h, c,
                                 "The field 'InvocationType' must be RequestResponse, "
                                 "Event or DryRun");
    *itype = it != NULL ? val_str_get(it) : "RequestResponse";
    if (p == NULL)
        sx_sbuf_adds(body, "{}");
    else
        tk_scalar_add(body, p); /* a string payload is sent as its raw bytes */
    return SX_AGAIN;
}

static int
lambda_start(void *ud, ex_call_t *c)
{
    tk_lambda_t *r = ud;
    bool invoke = strcmp(c->resource, INVOKE_ARN) == 0;
    fn_ref_t f;
    const char *itype = "RequestResponse";
    if (!invoke && strncmp(c->resource, FN_ARN_PREFIX, strlen(FN_ARN_PREFIX)) != 0)
        return SX_DECLINED;
    if (!invoke && !fn_parse(c->arena, r->cfg, c->resource, &f))
        return SX_DECLINED;
    r->h.stats.started++;
    r->h.stats.inflight++;
    sx_sbuf_t body = SX_SBUF_INIT;
    if (invoke && start_invoke(r, c, &f, &body, &itype) == SX_OK)
        goto out_body;
    if (!invoke)
        val_json_print(&body, c->input);
    const char *url = fn_url(r, c->arena, &f);
    if (url == NULL) {
        not_found(r, c, &f);
        goto out_body;
    }
    lcall_t *lc = sx_arena_alloc(c->arena, sizeof(*lc));
    lc->r = r;
    lc->invoke = invoke;
    lc->qual = f.qual;
    tk_req_t *q = tk_req_new(r->cl, c, "POST", url);
    tk_req_header(q, "Content-Type", "application/json");
    tk_req_header(q, "X-Amz-Invocation-Type", itype);
    const val_t *cc = invoke ? val_obj_gets(c->input, "ClientContext") : NULL;
    const val_t *lt = invoke ? val_obj_gets(c->input, "LogType") : NULL;
    if (val_is(cc, VAL_STR))
        tk_req_header(q, "X-Amz-Client-Context", val_str_get(cc));
    if (val_is(lt, VAL_STR))
        tk_req_header(q, "X-Amz-Log-Type", val_str_get(lt));
    tk_req_body(q, body.p != NULL ? body.p : "", body.len);
    if (tk_req_start(q, lambda_done, lc) != SX_OK)
        tk_res_fail(&r->h, c, "Lambda.SdkClientException",
                    "Unable to execute HTTP request: the request could not be started");
out_body:
    sx_sbuf_fini(&body);
    return SX_OK;
}

static void
lambda_cancel(void *ud, ex_call_t *c)
{
    tk_lambda_t *r = ud;
    if (tk_curl_cancel(r->cl, c)) {
        r->h.stats.cancelled++;
        r->h.stats.inflight--;
    }
}

static void
lambda_free(tk_res_t *h)
{
    tk_lambda_t *r = (tk_lambda_t *)h;
    tk_curl_free(r->cl);
    tk_table_fini(&r->fns);
    sx_free(r);
}

int
tk_lambda_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
              char *msg, size_t msglen)
{
    tk_table_t fns;
    SX_UNUSED(sch);
    if (tk_table_parse(&fns, cfg->lambda_functions, msg, msglen) != SX_OK)
        return SX_ERR;
    tk_lambda_t *r = sx_calloc(1, sizeof(*r));
    r->h.kind = "lambda";
    r->h.free = lambda_free;
    r->cfg = cfg;
    r->fns = fns;
    r->cl = tk_curl_new(base, cfg);
    out->start = lambda_start;
    out->cancel = lambda_cancel;
    out->ud = r;
    return SX_OK;
}

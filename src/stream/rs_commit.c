/*
 * rs_commit.c: the ack-gated commit: one Lua script per batch of finished events.
 *
 * Why: a consumer paused past claim_idle wakes up and commits an entry that another consumer
 * already took over and committed. A plain pipelined XACK + XADD + HINCRBY would write a
 * second result and a second bill. The script writes only when its own XACK returns 1, so
 * only the first committer of an id writes and bills (spec/redis.md), and resending a commit
 * whose reply was lost is harmless.
 *
 * Script interface (one call per batch; every key shares the {tag} hash slot):
 *   KEYS[1] events stream, KEYS[2] results stream, KEYS[3] dead-letter stream,
 *   KEYS[4..] usage hashes of the tenants in the batch: all-time "{tag}:usage:<tenant>" and
 *   per UTC day of the execution's end "{tag}:usage:<tenant>:<YYYY-MM-DD>" (bill_usage.c
 *   reads both)
 *   ARGV[1] group, ARGV[2] results MAXLEN ~, ARGV[3] dead-letter MAXLEN ~, then per entry:
 *     id, 'r', all-time key index, day key index, name, machine, tenant, status,
 *         output-or-error, cause, start, stop, billed_ms, billed_mb, billed_mb_ms, transitions
 *                                                                          (16 arguments)
 *     id, 'd', nf, nf field/value pairs of the dead-letter entry
 *     id, 'a'                                          (ack only: entry deleted)
 *   Field names of results live in the script, not in ARGV: Redis converts every ARGV
 *   element to a Lua string on each call, so fewer arguments per entry is faster.
 *   Returns a flat string with one '1' (this call acked and wrote) or '0' (already acked)
 *   per entry: never a nested table (hiredis 0.14 depth limits).
 * Usage counters are summed per batch inside the script (per all-time key, day key and
 * machine) and written with one HINCRBY per (hash, field), to both hashes: fields
 * "<machine>|requests", "|billed_ms", "|billed_mb_ms", "|transitions" and "|<STATUS>".
 * `#!lua` without allow-oom: under maxmemory Redis refuses the whole script up front, so a
 * commit is never half applied; the batch stays queued and is retried with backoff.
 *
 * Flow: finished events join c->commit_q; flush_ev (activated, so it runs once after the
 * current callbacks: the "before sleep" point of this loop turn) sends them in batches.
 * Reply NULL (timeout, lost connection) = unknown: the batch goes back to the front of the
 * queue and is resent on the next connection. NOSCRIPT: resent at once with EVAL. Other
 * errors (OOM, BUSY...): back to the queue, retried after a backoff.
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "rs_int.h"

static const char commit_lua[] =
    "#!lua\n"
    "local grp, rmax, dmax = ARGV[1], ARGV[2], ARGV[3]\n"
    "local acc, res = {}, {}\n"
    "local i, n = 4, #ARGV\n"
    "while i <= n do\n"
    "  local id, kind = ARGV[i], ARGV[i + 1]\n"
    "  if kind == 'r' then\n"
    "    local u = i + 2\n"
    "    i = i + 16\n"
    "    if redis.call('XACK', KEYS[1], grp, id) == 1 then\n"
    "      res[#res + 1] = '1'\n"
    "      local st = ARGV[u + 5]\n"
    "      if st == 'SUCCEEDED' then\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', ARGV[u + 2],\n"
    "          'machine', ARGV[u + 3], 'tenant', ARGV[u + 4], 'status', st, 'output', ARGV[u + "
    "6],\n"
    "          'start', ARGV[u + 8], 'stop', ARGV[u + 9], 'billed_ms', ARGV[u + 10],\n"
    "          'billed_mb', ARGV[u + 11])\n"
    "      else\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', ARGV[u + 2],\n"
    "          'machine', ARGV[u + 3], 'tenant', ARGV[u + 4], 'status', st, 'error', ARGV[u + 6],\n"
    "          'cause', ARGV[u + 7], 'start', ARGV[u + 8], 'stop', ARGV[u + 9],\n"
    "          'billed_ms', ARGV[u + 10], 'billed_mb', ARGV[u + 11])\n"
    "      end\n"
    "      local ku = ARGV[u] .. ' ' .. ARGV[u + 1]\n"
    "      local h = acc[ku]\n"
    "      if h == nil then h = {}; acc[ku] = h end\n"
    "      local m = ARGV[u + 3]\n"
    "      local c = h[m]\n"
    "      if c == nil then c = {0, 0, 0, 0, {}}; h[m] = c end\n"
    "      c[1] = c[1] + 1\n"
    "      c[2] = c[2] + tonumber(ARGV[u + 10])\n"
    "      c[3] = c[3] + tonumber(ARGV[u + 12])\n"
    "      c[4] = c[4] + tonumber(ARGV[u + 13])\n"
    "      c[5][st] = (c[5][st] or 0) + 1\n"
    "    else\n"
    "      res[#res + 1] = '0'\n"
    "    end\n"
    "  elseif kind == 'd' then\n"
    "    local fs = i + 3\n"
    "    local fe = fs + 2 * tonumber(ARGV[i + 2]) - 1\n"
    "    i = fe + 1\n"
    "    if redis.call('XACK', KEYS[1], grp, id) == 1 then\n"
    "      res[#res + 1] = '1'\n"
    "      redis.call('XADD', KEYS[3], 'MAXLEN', '~', dmax, '*', 'id', id, unpack(ARGV, fs, fe))\n"
    "    else\n"
    "      res[#res + 1] = '0'\n"
    "    end\n"
    "  else\n"
    "    i = i + 2\n"
    "    res[#res + 1] = redis.call('XACK', KEYS[1], grp, id) == 1 and '1' or '0'\n"
    "  end\n"
    "end\n"
    "for ku, h in pairs(acc) do\n"
    "  local a, d = string.match(ku, '^(%d+) (%d+)$')\n"
    "  local keys = {KEYS[tonumber(a)], KEYS[tonumber(d)]}\n"
    "  for m, c in pairs(h) do\n"
    "    for _, key in ipairs(keys) do\n"
    "      redis.call('HINCRBY', key, m .. '|requests', c[1])\n"
    "      redis.call('HINCRBY', key, m .. '|billed_ms', c[2])\n"
    "      redis.call('HINCRBY', key, m .. '|billed_mb_ms', c[3])\n"
    "      redis.call('HINCRBY', key, m .. '|transitions', c[4])\n"
    "      for s, v in pairs(c[5]) do redis.call('HINCRBY', key, m .. '|' .. s, v) end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return table.concat(res)\n";

static char commit_sha[41];
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

void
rs_sha1_hex(const char *s, size_t n, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(s, n, md, &len, EVP_sha1(), NULL) != 1 || len != 20) {
        out[0] = '\0'; /* EVALSHA then fails with NOSCRIPT and EVAL takes over */
        return;
    }
    for (unsigned i = 0; i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = '\0';
}

static void
sha_compute(void)
{
    rs_sha1_hex(commit_lua, sizeof(commit_lua) - 1, commit_sha);
}

const char *
rs_commit_script(void)
{
    return commit_lua;
}

const char *
rs_commit_sha(void)
{
    pthread_once(&sha_once, sha_compute);
    return commit_sha;
}

/* One commit script in flight. */
typedef struct batch {
    rs_consumer_t *c; /* owner */
    bool eval;        /* send the script text (after NOSCRIPT) */
    size_t n;         /* events */
    rs_event_t *ev[]; /* in queue order */
} batch_t;

static void on_commit(rs_conn_t *conn, redisReply *r, void *ud);

/* Usage keys of one batch: distinct strings in one buffer. */
typedef struct keyset {
    sx_sbuf_t buf; /* NUL-separated keys */
    size_t *off;   /* offset of each key in buf */
    size_t n;      /* keys */
} keyset_t;

/* Returns the index of key (prefix + a + b) in ks, adding it when new. */
static size_t
keyset_index(keyset_t *ks, const char *prefix, const char *a, const char *b)
{
    size_t start = ks->buf.len;
    sx_sbuf_adds(&ks->buf, prefix);
    sx_sbuf_adds(&ks->buf, a);
    sx_sbuf_adds(&ks->buf, b);
    sx_sbuf_addc(&ks->buf, '\0');
    for (size_t i = ks->n; i-- > 0;) { /* newest first: batches rarely mix tenants */
        if (strcmp(ks->buf.p + ks->off[i], ks->buf.p + start) == 0) {
            ks->buf.len = start; /* drop the duplicate */
            return i;
        }
    }
    ks->off[ks->n] = start;
    return ks->n++;
}

static void
resp_argz(sx_sbuf_t *b, const char *s)
{
    rs_resp_arg(b, s, strlen(s));
}

static void
resp_argu(sx_sbuf_t *b, uint64_t v)
{
    char num[24];
    rs_resp_arg(b, num, rs_u64_fmt(v, num));
}

/* Number of RESP arguments of the call for batch b with nkeys usage keys. */
static size_t
batch_argc(const batch_t *b, size_t nkeys)
{
    size_t n = 9 + nkeys;
    for (size_t i = 0; i < b->n; i++) {
        const rs_event_t *ev = b->ev[i];
        n += 2 + (ev->_kind == 'r' ? 2u : ev->_kind == 'd' ? 1u : 0u) + ev->_nargs;
    }
    return n;
}

/* Builds the script call straight into RESP (no hiredis formatting) and sends it. Returns
 * SX_OK or SX_AGAIN (not connected). */
static int
batch_send(batch_t *b)
{
    rs_consumer_t *c = b->c;
    sx_sbuf_t req = SX_SBUF_INIT;
    keyset_t ks = {SX_SBUF_INIT, NULL, 0};
    size_t *kidx = sx_malloc((2 * b->n + 1) * sizeof(*kidx));
    int rc;

    ks.off = sx_malloc((2 * b->n + 1) * sizeof(*ks.off));
    /* usage keys of result entries (all-time and day bucket per tenant) -> KEYS[4..] */
    for (size_t i = 0; i < b->n; i++) {
        rs_event_t *ev = b->ev[i];
        if (ev->_kind != 'r')
            continue;
        kidx[2 * i] = keyset_index(&ks, c->k_usage, ev->tenant, "");
        kidx[2 * i + 1] = keyset_index(&ks, c->k_usage, ev->tenant, ev->_day);
    }
    sx_sbuf_reserve(&req, 256 + b->n * 512);
    rs_resp_head(&req, batch_argc(b, ks.n));
    resp_argz(&req, b->eval ? "EVAL" : "EVALSHA");
    resp_argz(&req, b->eval ? rs_commit_script() : rs_commit_sha());
    resp_argu(&req, 3 + ks.n);
    resp_argz(&req, c->k_events);
    resp_argz(&req, c->k_results);
    resp_argz(&req, c->k_dead);
    for (size_t t = 0; t < ks.n; t++)
        resp_argz(&req, ks.buf.p + ks.off[t]);
    resp_argz(&req, c->conf->group);
    resp_argu(&req, (uint64_t)c->conf->results_maxlen);
    resp_argu(&req, (uint64_t)c->conf->dead_maxlen);
    for (size_t i = 0; i < b->n; i++) {
        rs_event_t *ev = b->ev[i];
        resp_argz(&req, ev->id);
        if (ev->_kind == 'r') {
            rs_resp_arg(&req, "r", 1);
            resp_argu(&req, 4 + kidx[2 * i]);
            resp_argu(&req, 4 + kidx[2 * i + 1]);
        } else if (ev->_kind == 'd') {
            rs_resp_arg(&req, "d", 1);
            resp_argu(&req, ev->_nargs / 2u);
        } else {
            rs_resp_arg(&req, "a", 1);
        }
        for (size_t a = 0; a < ev->_nargs; a++)
            rs_resp_arg(&req, ev->_buf.p + ev->_args[a][0], ev->_args[a][1]);
    }
    rc = rs_conn_formatted(c->conn, 0, on_commit, b, req.p, req.len);
    sx_sbuf_fini(&req);
    sx_free(kidx);
    sx_free(ks.off);
    sx_sbuf_fini(&ks.buf);
    return rc;
}

static void
batch_requeue(batch_t *b)
{
    rs_evlist_unshift_all(&b->c->commit_q, b->ev, b->n);
    sx_free(b);
}

static void
commit_wait_arm(rs_consumer_t *c)
{
    int64_t delay = c->conf->reconnect_min_ms;
    for (uint32_t i = 0; i < c->commit_errors && delay < c->conf->reconnect_max_ms; i++)
        delay *= 2;
    if (delay > c->conf->reconnect_max_ms)
        delay = c->conf->reconnect_max_ms;
    c->commit_errors++;
    c->commit_wait = true;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(c->commit_ev, &tv);
}

static void
batch_done(batch_t *b, const redisReply *r)
{
    rs_consumer_t *c = b->c;
    for (size_t i = 0; i < b->n; i++) {
        rs_event_t *ev = b->ev[i];
        bool written = r->str[i] == '1';
        if (!written)
            c->st.duplicates++;
        else if (ev->_kind == 'r')
            c->st.written++;
        else if (ev->_kind == 'd')
            c->st.dead++;
        if (c->committed != NULL && ev->_kind != 'a')
            c->committed(ev, written, c->ud);
        rs_held_remove(c, ev);
        rs_event_free(ev);
    }
    sx_free(b);
}

static void
on_commit(rs_conn_t *conn, redisReply *r, void *ud)
{
    batch_t *b = ud;
    rs_consumer_t *c = b->c;
    char buf[256];
    SX_UNUSED(conn);
    if (r == NULL) {
        c->st.commit_errors++;
        batch_requeue(b); /* unknown outcome: resent on the next connection */
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0 && !b->eval) {
        b->eval = true;
        if (batch_send(b) != SX_OK)
            batch_requeue(b);
        return;
    }
    if (r->type != REDIS_REPLY_STRING || r->len != b->n) {
        c->st.commit_errors++;
        rs_log(RS_LOG_WARN, "%s: commit of %zu entries refused: %s", c->name, b->n,
               rs_reply_text(r, buf, sizeof(buf)));
        batch_requeue(b);
        if (!c->commit_wait)
            commit_wait_arm(c);
        return;
    }
    c->commit_errors = 0;
    batch_done(b, r);
    rs_read_kick(c);
}

void
rs_commit_flush(rs_consumer_t *c)
{
    while (c->commit_q.head != NULL && !c->commit_wait && rs_conn_up(c->conn)) {
        size_t n = c->commit_q.n < (size_t)c->conf->commit_batch ? c->commit_q.n
                                                                 : (size_t)c->conf->commit_batch;
        batch_t *b = sx_malloc(sizeof(*b) + n * sizeof(b->ev[0]));
        b->c = c;
        b->eval = false;
        b->n = n;
        for (size_t i = 0; i < n; i++) {
            b->ev[i] = c->commit_q.head;
            rs_evlist_remove(&c->commit_q, b->ev[i]);
        }
        if (batch_send(b) != SX_OK) {
            batch_requeue(b);
            return;
        }
    }
}

void
rs_commit_on_flush(int fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    rs_commit_flush(arg);
}

void
rs_commit_on_retry(int fd, short what, void *arg)
{
    rs_consumer_t *c = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    c->commit_wait = false;
    rs_commit_flush(c);
}

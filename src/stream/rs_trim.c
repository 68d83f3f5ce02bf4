/*
 * rs_trim.c: retention of the events stream.
 *
 * Acknowledged entries stay in a stream until it is trimmed, and MAXLEN must never be used
 * on an input stream (it deletes entries not yet delivered: spec/redis.md measured 23 % of
 * 1M events lost). So worker 0 periodically runs one script that computes the safe point and
 * trims to it atomically (no window between reading the groups and trimming):
 *
 *   keep = min over every group of (its oldest pending id if it has pending entries, else
 *          its last-delivered-id)
 *   XTRIM <events> MINID ~ keep        (entries below keep are acked by every group)
 *
 * `~` removes whole stream nodes only, so it keeps a little more and costs little. A stream
 * without groups is never trimmed. The script is `#!lua flags=allow-oom`: trimming frees
 * memory, so it must run exactly when Redis is full. Ids are compared as (ms, seq) decimal
 * strings by length then text, since ms may exceed a Lua double's exact range.
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <string.h>

#include "rs_int.h"

static const char trim_lua[] =
    "#!lua flags=allow-oom\n"
    "local function idlt(a, b)\n"
    "  local am, as = string.match(a, '^(%d+)-(%d+)$')\n"
    "  local bm, bs = string.match(b, '^(%d+)-(%d+)$')\n"
    "  if #am ~= #bm then return #am < #bm end\n"
    "  if am ~= bm then return am < bm end\n"
    "  if #as ~= #bs then return #as < #bs end\n"
    "  return as < bs\n"
    "end\n"
    "local keep = nil\n"
    "for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do\n"
    "  local name, pending, last\n"
    "  for j = 1, #g, 2 do\n"
    "    local f = g[j]\n"
    "    if f == 'name' then name = g[j + 1]\n"
    "    elseif f == 'pending' then pending = g[j + 1]\n"
    "    elseif f == 'last-delivered-id' then last = g[j + 1] end\n"
    "  end\n"
    "  local k = last\n"
    "  if pending > 0 then k = redis.call('XPENDING', KEYS[1], name)[2] end\n"
    "  if keep == nil or idlt(k, keep) then keep = k end\n"
    "end\n"
    "if keep == nil or keep == '0-0' then return 0 end\n"
    "return redis.call('XTRIM', KEYS[1], 'MINID', '~', keep)\n";

static char trim_sha[41];
static pthread_once_t trim_once = PTHREAD_ONCE_INIT;

static void
trim_sha_compute(void)
{
    rs_sha1_hex(trim_lua, sizeof(trim_lua) - 1, trim_sha);
}

static void trim_send(rs_consumer_t *c, bool eval);

static void
on_trim(rs_conn_t *conn, redisReply *r, void *ud)
{
    rs_consumer_t *c = ud;
    char buf[256];
    SX_UNUSED(conn);
    c->trimming = false;
    if (r == NULL)
        return;
    if (r->type == REDIS_REPLY_INTEGER) {
        c->st.trims++;
        c->st.trimmed += (uint64_t)r->integer;
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
        trim_send(c, true);
        return;
    }
    rs_log(RS_LOG_WARN, "%s: trim of %s: %s", c->name, c->k_events,
           rs_reply_text(r, buf, sizeof(buf)));
}

static void
trim_send(rs_consumer_t *c, bool eval)
{
    pthread_once(&trim_once, trim_sha_compute);
    const char *argv[] = {eval ? "EVAL" : "EVALSHA", eval ? trim_lua : trim_sha, "1", c->k_events};
    if (rs_conn_argv(c->conn, 0, on_trim, c, 4, argv, NULL) == SX_OK)
        c->trimming = true;
}

void
rs_consumer_trim_now(rs_consumer_t *c)
{
    if (c->state != RS_ST_RUNNING || c->closing || c->trimming || !rs_conn_up(c->conn))
        return;
    trim_send(c, false);
}

void
rs_trim_on_tick(int fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    rs_consumer_trim_now(arg);
}

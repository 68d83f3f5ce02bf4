/*
 * test_e2e_stream.c: the stream layer against a real redis-server on a random loopback port
 * (label needs:redis). Each test uses its own hash tag, so keys never collide.
 *
 * Covered here: group creation, batch reads, usage counters, validation dead-letters,
 * msgpack input, the ack-gated commit (a late commit of an entry taken over writes nothing),
 * XAUTOCLAIM takeover, dead-lettering after max_deliveries, own-PEL history after reconnect
 * (no double dispatch), FAILED outcomes, the NOSCRIPT fallback, NOGROUP reported and not
 * recreated, the eviction-policy refusal, and a commit refused whole under maxmemory then
 * retried. Faults (kills, pauses, cuts, partitions) are in test_e2e_faults.c.
 */
#include "rs_test_redis.h"
#include "rs_test_e2e.h"

static void
test_basic_batches_and_usage(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "b", NULL);
    xadd("b", 150, "acme");
    xadd("b", 150, "beta");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 300, 5000);
    CHECK_INT(t.written, 300);
    CHECK_INT(rs_consumer_state(c), RS_ST_RUNNING);
    CHECK_STR(rs_consumer_name(c), "t-0");
    CHECK_INT(rt_int("XLEN {b}:results"), 300);
    CHECK_INT(pending("b"), 0);
    CHECK_INT(hget("{b}:usage:acme", "m1|requests"), 150);
    CHECK_INT(hget("{b}:usage:beta", "m1|requests"), 150);
    CHECK_INT(hget("{b}:usage:acme", "m1|billed_ms"), 150 * 100);
    CHECK_INT(hget("{b}:usage:acme", "m1|billed_mb_ms"), 150 * 100 * 64);
    CHECK_INT(hget("{b}:usage:acme", "m1|transitions"), 300);
    CHECK_INT(hget("{b}:usage:beta", "m1|SUCCEEDED"), 150);
    char *out = first_field("{b}:results", "output");
    CHECK_STR(out, "{\"i\":0}");
    sx_free(out);
    out = first_field("{b}:results", "status");
    CHECK_STR(out, "SUCCEEDED");
    sx_free(out);
    /* the same counters in today's day bucket (what src/bill reads for a period) */
    char today[32], key[64];
    sx_fmt_iso_ms(sx_wall_ms(), today);
    today[10] = '\0';
    snprintf(key, sizeof(key), "{b}:usage:acme:%s", today);
    CHECK_INT(hget(key, "m1|requests"), 150);
    CHECK_INT(hget(key, "m1|billed_mb_ms"), 150 * 100 * 64);
    snprintf(key, sizeof(key), "{b}:usage:beta:%s", today);
    CHECK_INT(hget(key, "m1|SUCCEEDED"), 150);
    CHECK_INT(rt_int("EXISTS {b}:usage:acme:%s", today), 1);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.read, 300);
    CHECK_INT(st.written, 300);
    CHECK_INT(st.inflight, 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_validation_dead_letters(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    const char *kv[] = {"max_input", "100", NULL};
    char big[200];
    const char mp_ok[] = "\x81\xa1"
                         "a\x01",
               mp_bad[] = "\xc1";
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    conf_make(&cf, "v", kv);
    freeReplyObject(rt_cmd("XADD {v}:events * input {}"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input {} input_msgpack x"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input \"%s\"", big));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input {bad"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine unknown input {}"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input_msgpack %b", mp_ok, (size_t)4));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input_msgpack %b", mp_bad, (size_t)1));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 tenant x:2024-01-31 input {}"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 8, 5000);
    CHECK_INT(rt_int("XLEN {v}:results"), 1);
    CHECK_INT(rt_int("XLEN {v}:dead"), 7);
    CHECK_INT(pending("v"), 0);
    char *out = first_field("{v}:results", "output");
    CHECK_STR(out, "{\"a\":1}");
    sx_free(out);
    out = first_field("{v}:dead", "reason");
    CHECK_STR(out, "missing field 'machine'");
    sx_free(out);
    redisReply *r = rt_cmd("XRANGE {v}:dead - +");
    const char *want[] = {"missing field 'machine'",
                          "both 'input' and 'input_msgpack' given",
                          "input is 201 bytes, more than max_input 100",
                          "bad JSON input",
                          "unknown state machine 'unknown'",
                          "Unsupported msgpack type",
                          "tenant must not end in ':YYYY-MM-DD'"};
    /* every reason once; entries rejected while reading come before those the executor
     * rejects in the same read (the next read is sent between the two) */
    CHECK(r && r->elements == 7);
    for (size_t k = 0; r && k < 7; k++) {
        int found = 0;
        for (size_t i = 0; i < r->elements; i++) {
            redisReply *fs = r->element[i]->element[1];
            CHECK_STR(fs->element[2]->str, "reason");
            found += strncmp(fs->element[3]->str, want[k], strlen(want[k])) == 0;
        }
        if (found != 1)
            fprintf(stderr, "  reason '%s' found %d times\n", want[k], found);
        CHECK_INT(found, 1);
    }
    if (r)
        freeReplyObject(r);
    CHECK_INT(hget("{v}:usage:default", "m1|requests"), 1); /* dead letters bill nothing */
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_takeover_and_gated_commit(void)
{
    rs_conf_t ca, cb;
    texec_t ta = {.mode = EX_HOLD}, tb = {.mode = EX_ECHO};
    const char *kva[] = {"consumer", "ga", NULL};
    const char *kvb[] = {"consumer", "gb", "claim_idle", "200ms", "claim_interval", "50ms", NULL};
    rs_stats_t sa, sb;
    conf_make(&ca, "g", kva);
    conf_make(&cb, "g", kvb);
    xadd("g", 5, "acme");
    rs_consumer_t *a = rs_consumer_new(base, &ca, 0, texec_run, texec_committed, &ta);
    RUN_UNTIL(ta.nheld == 5, 3000);
    CHECK_INT(ta.nheld, 5);
    /* a is "paused" (holds its entries, never refreshes them); b takes them over */
    rs_consumer_t *b = rs_consumer_new(base, &cb, 0, texec_run, texec_committed, &tb);
    RUN_UNTIL(tb.written == 5, 3000);
    CHECK_INT(tb.written, 5);
    CHECK_INT(tb.last_deliveries, 2);
    rs_consumer_stats(b, &sb);
    CHECK_INT(sb.reclaimed, 5);
    /* a wakes up and commits late: the gate writes nothing */
    texec_release(&ta);
    RUN_UNTIL(ta.dups == 5, 3000);
    CHECK_INT(ta.dups, 5);
    CHECK_INT(ta.written, 0);
    rs_consumer_stats(a, &sa);
    CHECK_INT(sa.duplicates, 5);
    CHECK_INT(rt_int("XLEN {g}:results"), 5);
    CHECK_INT(hget("{g}:usage:acme", "m1|requests"), 5);
    CHECK_INT(pending("g"), 0);
    rs_consumer_free(a);
    rs_consumer_free(b);
    conf_drop(&ca);
    conf_drop(&cb);
}

static void
test_dead_letter_after_deliveries(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    const char *kv[] = {"max_deliveries", "2",    "claim_idle", "100ms",
                        "claim_interval", "50ms", NULL};
    conf_make(&cf, "d", kv);
    freeReplyObject(rt_cmd("XGROUP CREATE {d}:events stepxd 0 MKSTREAM"));
    xadd("d", 2, "acme");
    redisReply *r = rt_cmd("XREADGROUP GROUP stepxd ghost COUNT 2 STREAMS {d}:events >");
    CHECK(r && r->type == REDIS_REPLY_ARRAY);
    char id0[64] = "";
    if (r && r->type == REDIS_REPLY_ARRAY)
        snprintf(id0, sizeof(id0), "%s", r->element[0]->element[1]->element[0]->element[0]->str);
    if (r)
        freeReplyObject(r);
    /* the first entry is delivered once more (2), so the takeover makes 3 > max 2 */
    freeReplyObject(rt_cmd("XCLAIM {d}:events stepxd ghost2 0 %s", id0));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 2, 3000);
    CHECK_INT(rt_int("XLEN {d}:dead"), 1);
    CHECK_INT(rt_int("XLEN {d}:results"), 1);
    char *why = first_field("{d}:dead", "reason");
    CHECK_STR(why, "delivered 3 times, more than max_deliveries 2");
    sx_free(why);
    why = first_field("{d}:dead", "id");
    CHECK_STR(why, id0);
    sx_free(why);
    CHECK_INT(pending("d"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_history_after_reconnect(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "h", (const char *[]){"consumer", "h", NULL});
    freeReplyObject(rt_cmd("XGROUP CREATE {h}:events stepxd 0 MKSTREAM"));
    xadd("h", 3, "acme");
    /* delivered to h-0 before it starts: found in its own PEL, not as new entries */
    freeReplyObject(rt_cmd("XREADGROUP GROUP stepxd h-0 COUNT 10 STREAMS {h}:events >"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 3, 3000);
    CHECK_INT(t.written, 3);
    CHECK_INT(t.last_deliveries, 2); /* delivered to h-0 once, then the history read */
    t.mode = EX_HOLD;
    xadd("h", 2, "acme");
    RUN_UNTIL(t.nheld == 2, 3000);
    rs_conn_reset(rs_consumer_conn(c), "test");
    RUN_UNTIL(rs_conn_connects(rs_consumer_conn(c)) == 2, 3000);
    RUN_MS(300);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.dispatched, 5); /* the held entries came back in history, not run twice */
    texec_release(&t);
    RUN_UNTIL(t.written == 5, 3000);
    CHECK_INT(t.written, 5);
    CHECK_INT(rt_int("XLEN {h}:results"), 5);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_nogroup_not_recreated(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "n", NULL);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    xadd("n", 1, "acme");
    RUN_UNTIL(t.written == 1, 3000);
    logbuf[0] = '\0';
    CHECK_INT(rt_int("XGROUP DESTROY {n}:events stepxd"), 1);
    RUN_MS(600);
    rs_consumer_stats(c, &st);
    CHECK(st.nogroup >= 1);
    CHECK(rs_consumer_error(c) != NULL && strncmp(rs_consumer_error(c), "NOGROUP", 7) == 0);
    CHECK(strstr(logbuf, "not recreating") != NULL);
    redisReply *r = rt_cmd("XINFO GROUPS {n}:events");
    CHECK(r && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    if (r)
        freeReplyObject(r);
    freeReplyObject(rt_cmd("XGROUP CREATE {n}:events stepxd $"));
    xadd("n", 1, "acme");
    RUN_UNTIL(t.written == 2, 3000);
    CHECK_INT(t.written, 2);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_eviction_policy_refused(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "e", NULL);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory-policy allkeys-lru"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_FATAL, 3000);
    CHECK_INT(rs_consumer_state(c), RS_ST_FATAL);
    CHECK(rs_consumer_error(c) != NULL && strstr(rs_consumer_error(c), "allkeys-lru") != NULL);
    CHECK_INT(rt_int("EXISTS {e}:events"), 0); /* refused before creating anything */
    freeReplyObject(rt_cmd("CONFIG SET maxmemory-policy noeviction"));
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_commit_refused_under_maxmemory(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_HOLD};
    rs_stats_t st;
    conf_make(&cf, "o", NULL);
    xadd("o", 3, "acme");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.nheld == 3, 3000);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 1"));
    texec_release(&t);
    RUN_MS(400);
    rs_consumer_stats(c, &st);
    CHECK(st.commit_errors >= 1);
    CHECK_INT(rt_int("EXISTS {o}:results"), 0); /* nothing half-applied */
    CHECK_INT(pending("o"), 3);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 0"));
    RUN_UNTIL(t.written == 3, 3000);
    CHECK_INT(t.written, 3);
    CHECK_INT(rt_int("XLEN {o}:results"), 3);
    CHECK_INT(pending("o"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_failed_status_and_noscript(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "f", NULL);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_RUNNING, 3000);
    RUN_MS(200); /* let the SCRIPT LOAD of the connection go out first */
    freeReplyObject(rt_cmd("CONFIG RESETSTAT"));
    freeReplyObject(rt_cmd("SCRIPT FLUSH")); /* as after a Redis restart: EVALSHA -> NOSCRIPT */
    freeReplyObject(rt_cmd("XADD {f}:events * machine failing tenant acme input {}"));
    RUN_UNTIL(t.written == 1, 3000);
    CHECK_INT(t.written, 1);
    redisReply *r = rt_cmd("INFO commandstats");
    if (getenv("SX_DEBUG") && r)
        fprintf(stderr, "%s\n", r->str);
    CHECK(r && r->type == REDIS_REPLY_STRING && strstr(r->str, "cmdstat_eval:calls=1,") != NULL);
    if (r)
        freeReplyObject(r);
    char *v = first_field("{f}:results", "status");
    CHECK_STR(v, "FAILED");
    sx_free(v);
    v = first_field("{f}:results", "error");
    CHECK_STR(v, "States.TaskFailed");
    sx_free(v);
    v = first_field("{f}:results", "cause");
    CHECK_STR(v, "boom");
    sx_free(v);
    v = first_field("{f}:results", "output");
    CHECK(v == NULL);
    sx_free(v);
    v = first_field("{f}:results", "billed_ms");
    CHECK_STR(v, "300");
    sx_free(v);
    CHECK_INT(hget("{f}:usage:acme", "failing|FAILED"), 1);
    CHECK_INT(hget("{f}:usage:acme", "failing|billed_mb_ms"), 300 * 128);
    CHECK_INT(hget("{f}:usage:acme", "failing|transitions"), 3);
    /* the next commit finds the script cached again: EVALSHA, no second EVAL */
    freeReplyObject(rt_cmd("XADD {f}:events * machine failing tenant acme input {}"));
    RUN_UNTIL(t.written == 2, 3000);
    r = rt_cmd("INFO commandstats");
    CHECK(r && r->type == REDIS_REPLY_STRING && strstr(r->str, "cmdstat_eval:calls=1,") != NULL);
    if (r)
        freeReplyObject(r);
    rs_consumer_free(c);
    conf_drop(&cf);
}

/* Runs a trim on c and waits for its answer. */
static void
trim_wait(rs_consumer_t *c)
{
    rs_stats_t st;
    rs_consumer_stats(c, &st);
    uint64_t before = st.trims;
    RUN_UNTIL(rs_conn_up(rs_consumer_conn(c)), 2000);
    rs_consumer_trim_now(c);
    RUN_UNTIL((rs_consumer_stats(c, &st), st.trims > before), 3000);
    CHECK(st.trims > before);
}

/* Returns the id of entry `i` (0-based) of the events stream of tag, in buf. */
static void
entry_id(const char *tag, int i, char *buf, size_t len)
{
    redisReply *r = rt_cmd("XRANGE {%s}:events - + COUNT %d", tag, i + 1);
    buf[0] = '\0';
    if (r && r->type == REDIS_REPLY_ARRAY && (int)r->elements == i + 1)
        snprintf(buf, len, "%s", r->element[i]->element[0]->str);
    if (r)
        freeReplyObject(r);
}

static void
test_trim_minid(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    char id[64];
    conf_make(&cf, "x", NULL);
    xadd("x", 300, "acme");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 300, 5000);
    /* another group holds the first 150 entries pending: nothing below them may go (stream
     * nodes hold 100 small entries, and MINID ~ trims whole nodes) */
    freeReplyObject(rt_cmd("XGROUP CREATE {x}:events other 0"));
    freeReplyObject(rt_cmd("XREADGROUP GROUP other o1 COUNT 150 STREAMS {x}:events >"));
    trim_wait(c);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.trimmed, 0);
    CHECK_INT(rt_int("XLEN {x}:events"), 300);
    /* it acks them: entries below its last delivered id may go, none after */
    for (int i = 0; i < 150; i++) {
        entry_id("x", i, id, sizeof(id));
        freeReplyObject(rt_cmd("XACK {x}:events other %s", id));
    }
    entry_id("x", 149, id, sizeof(id));
    trim_wait(c);
    rs_consumer_stats(c, &st);
    CHECK(st.trimmed > 0);
    CHECK_INT(rt_int("XLEN {x}:events"), 300 - (long long)st.trimmed);
    CHECK(rt_int("XLEN {x}:events") >= 151);
    redisReply *r = rt_cmd("XRANGE {x}:events %s %s", id, id);
    CHECK(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1); /* 150th entry kept */
    if (r)
        freeReplyObject(r);
    /* without the other group only stepxd's position counts; and trimming frees memory, so
     * it runs even when Redis is full (allow-oom) */
    freeReplyObject(rt_cmd("XGROUP DESTROY {x}:events other"));
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 1"));
    trim_wait(c);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 0"));
    CHECK(rt_int("XLEN {x}:events") <= 100);
    CHECK(rt_int("XLEN {x}:events") >= 1);
    /* the consumer still works after trimming */
    xadd("x", 5, "acme");
    RUN_UNTIL(t.written == 305, 3000);
    CHECK_INT(t.written, 305);
    rs_consumer_free(c);
    conf_drop(&cf);
}

/* A worker killed by an entry restarts under the same consumer name and finds the entry in
 * its own history: the history read counts as a delivery, so the entry is dead-lettered
 * once it passed max_deliveries, not run forever. */
static void
test_dead_letter_from_history(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "y", (const char *[]){"consumer", "y", "max_deliveries", "2", NULL});
    freeReplyObject(rt_cmd("XGROUP CREATE {y}:events stepxd 0 MKSTREAM"));
    xadd("y", 1, "acme");
    /* two earlier lives of y-0 read it (2 deliveries) and died */
    freeReplyObject(rt_cmd("XREADGROUP GROUP stepxd y-0 COUNT 1 STREAMS {y}:events >"));
    freeReplyObject(rt_cmd("XREADGROUP GROUP stepxd y-0 COUNT 1 STREAMS {y}:events 0"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 1, 3000);
    CHECK_INT(rt_int("XLEN {y}:dead"), 1);
    CHECK_INT(rt_int("EXISTS {y}:results"), 0);
    char *why = first_field("{y}:dead", "reason");
    CHECK_STR(why, "delivered 3 times, more than max_deliveries 2");
    sx_free(why);
    CHECK_INT(pending("y"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

/* Returns entry i (0-based) of stream key as "f=v f=v ..." in buf. */
static void
entry_text(const char *key, int i, char *buf, size_t len)
{
    redisReply *r = rt_cmd("XRANGE %s - + COUNT %d", key, i + 1);
    size_t n = 0;
    buf[0] = '\0';
    if (r && r->type == REDIS_REPLY_ARRAY && (int)r->elements == i + 1) {
        redisReply *fs = r->element[i]->element[1];
        for (size_t j = 0; j + 1 < fs->elements && n < len; j += 2)
            n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", j ? " " : "", fs->element[j]->str,
                                  fs->element[j + 1]->str);
    }
    if (r)
        freeReplyObject(r);
}

/* One commit batch mixing entries it writes with entries already acked elsewhere, over
 * several usage groups (machine x status): usage counts exactly the written ones, in both
 * hashes, and a group with no written entry writes no field at all. Also the exact shape
 * of result entries (named and unnamed, SUCCEEDED and FAILED). */
static void
test_mixed_batch_usage(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_HOLD};
    char ids[7][64], txt[1024], want[1024], key[64], today[32];
    const char *mach[7] = {"m1", "m1", "m1", "failing", "failing", "failing", "m2"};
    conf_make(&cf, "mx", NULL);
    for (int i = 0; i < 7; i++) {
        redisReply *r = i == 0 ? rt_cmd("XADD {mx}:events * machine m1 tenant acme name n-0 input "
                                        "{\"i\":0}")
                               : rt_cmd("XADD {mx}:events * machine %s tenant acme input "
                                        "{\"i\":%d}",
                                        mach[i], i);
        CHECK(r && r->type == REDIS_REPLY_STRING);
        snprintf(ids[i], sizeof(ids[i]), "%s", r && r->str ? r->str : "");
        if (r)
            freeReplyObject(r);
    }
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.nheld == 7, 3000);
    CHECK_INT(t.nheld, 7);
    /* another committer got there first for entries 1 (m1), 4 (failing) and 6 (m2) */
    CHECK_INT(rt_int("XACK {mx}:events stepxd %s %s %s", ids[1], ids[4], ids[6]), 3);
    texec_release(&t);
    RUN_UNTIL(t.written + t.dups == 7, 3000);
    CHECK_INT(t.written, 4);
    CHECK_INT(t.dups, 3);
    CHECK_INT(rt_int("XLEN {mx}:results"), 4);
    CHECK_INT(pending("mx"), 0);
    sx_fmt_iso_ms(sx_wall_ms(), today);
    today[10] = '\0';
    snprintf(key, sizeof(key), "{mx}:usage:acme:%s", today);
    const char *keys[] = {"{mx}:usage:acme", key};
    for (int k = 0; k < 2; k++) {
        CHECK_INT(hget(keys[k], "m1|requests"), 2);
        CHECK_INT(hget(keys[k], "m1|SUCCEEDED"), 2);
        CHECK_INT(hget(keys[k], "m1|billed_ms"), 200);
        CHECK_INT(hget(keys[k], "m1|billed_mb_ms"), 2 * 100 * 64);
        CHECK_INT(hget(keys[k], "m1|transitions"), 4);
        CHECK_INT(hget(keys[k], "failing|requests"), 2);
        CHECK_INT(hget(keys[k], "failing|FAILED"), 2);
        CHECK_INT(hget(keys[k], "failing|billed_ms"), 600);
        CHECK_INT(hget(keys[k], "failing|billed_mb_ms"), 2 * 300 * 128);
        CHECK_INT(hget(keys[k], "failing|transitions"), 6);
        CHECK_INT(rt_int("HEXISTS %s m2|requests", keys[k]), 0);
        CHECK_INT(rt_int("HEXISTS %s failing|SUCCEEDED", keys[k]), 0);
        CHECK_INT(rt_int("HLEN %s", keys[k]), 10);
    }
    /* result entries: documented fields in order; name defaults to the event id */
    entry_text("{mx}:results", 0, txt, sizeof(txt));
    snprintf(want, sizeof(want),
             "id=%s name=n-0 machine=m1 tenant=acme status=SUCCEEDED "
             "output={\"i\":0} start=",
             ids[0]);
    CHECK(strncmp(txt, want, strlen(want)) == 0);
    CHECK(strstr(txt, " billed_ms=100 billed_mb=64") != NULL);
    CHECK(strstr(txt, " stop=") != NULL);
    entry_text("{mx}:results", 1, txt, sizeof(txt));
    snprintf(want, sizeof(want), "id=%s name=%s machine=m1 tenant=acme status=SUCCEEDED ", ids[2],
             ids[2]);
    CHECK(strncmp(txt, want, strlen(want)) == 0);
    entry_text("{mx}:results", 2, txt, sizeof(txt));
    snprintf(want, sizeof(want),
             "id=%s name=%s machine=failing tenant=acme status=FAILED "
             "error=States.TaskFailed cause=boom start=",
             ids[3], ids[3]);
    CHECK(strncmp(txt, want, strlen(want)) == 0);
    CHECK(strstr(txt, " billed_ms=300 billed_mb=128") != NULL);
    CHECK(strstr(txt, "output") == NULL);
    rs_consumer_free(c);
    conf_drop(&cf);
}

/* Results count into the day bucket of their end (UTC), also when consecutive results of one
 * consumer cross midnight and come back. */
static void
test_day_buckets(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_HOLD};
    /* 2024-01-31T23:59:59.999Z, 2024-02-01T00:00:00.000Z, then the first again */
    const int64_t stops[] = {1706745599999LL, 1706745600000LL, 1706745599000LL};
    conf_make(&cf, "dy", NULL);
    xadd("dy", 3, "acme");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.nheld == 3, 3000);
    CHECK_INT(t.nheld, 3);
    for (int i = 0; i < t.nheld; i++) {
        rs_outcome_t out = {.status = RS_SUCCEEDED, .output = "1", .output_len = 1};
        out.stop_ms = stops[i];
        out.start_ms = stops[i] - 150;
        out.transitions = 1;
        rs_event_complete(t.held[i], &out);
    }
    t.nheld = 0;
    RUN_UNTIL(t.written == 3, 3000);
    CHECK_INT(t.written, 3);
    CHECK_INT(hget("{dy}:usage:acme:2024-01-31", "m1|requests"), 2);
    CHECK_INT(hget("{dy}:usage:acme:2024-01-31", "m1|billed_ms"), 400);
    CHECK_INT(hget("{dy}:usage:acme:2024-02-01", "m1|requests"), 1);
    CHECK_INT(hget("{dy}:usage:acme", "m1|requests"), 3);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static const sx_test_t tests[] = {
    {"day_buckets", test_day_buckets},
    {"mixed_batch_usage", test_mixed_batch_usage},
    {"dead_letter_from_history", test_dead_letter_from_history},
    {"trim_minid", test_trim_minid},
    {"basic_batches_and_usage", test_basic_batches_and_usage},
    {"validation_dead_letters", test_validation_dead_letters},
    {"takeover_and_gated_commit", test_takeover_and_gated_commit},
    {"dead_letter_after_deliveries", test_dead_letter_after_deliveries},
    {"history_after_reconnect", test_history_after_reconnect},
    {"nogroup_not_recreated", test_nogroup_not_recreated},
    {"eviction_policy_refused", test_eviction_policy_refused},
    {"commit_refused_under_maxmemory", test_commit_refused_under_maxmemory},
    {"failed_status_and_noscript", test_failed_status_and_noscript},
    {NULL, NULL}};

int
main(int argc, char **argv)
{
    return rt_e2e_main("stream_e2e", tests, argc, argv);
}

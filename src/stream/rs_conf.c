/*
 * rs_conf.c: the directive table of the stream layer (cfg.h). conf/stepxd.conf documents the
 * same keys with the same defaults; keep them in step.
 */
#include <string.h>

#include "rs_int.h"

/* Names become parts of Redis keys: no spaces, no braces (they would move the hash tag). */
static int
check_key_part(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *s = *(char *const *)field;
    SX_UNUSED(d);
    if (s == NULL || *s == '\0' || strpbrk(s, " \t\r\n{}") != NULL) {
        snprintf(msg, len, "must be non-empty, without spaces or braces");
        return SX_ERR;
    }
    return SX_OK;
}

#define RS_OFF(f) offsetof(rs_conf_t, f)
#define MS_MAX (24LL * 3600 * 1000)

const cfg_directive_t rs_conf_directives[] = {
    {"redis_host", CFG_STR, RS_OFF(redis_host), "127.0.0.1", check_key_part, 0, 0,
     "Redis server host"},
    {"redis_port", CFG_INT, RS_OFF(redis_port), "6379", NULL, 1, 65535, "Redis server port"},
    {"redis_password", CFG_STR, RS_OFF(redis_password), NULL, NULL, 0, 0,
     "AUTH password (none by default)"},
    {"redis_tag", CFG_STR, RS_OFF(redis_tag), "stepx", check_key_part, 0, 0,
     "hash tag of every key: {tag}:name (one cluster slot)"},
    {"events_key", CFG_STR, RS_OFF(events_key), "events", check_key_part, 0, 0,
     "input stream: {tag}:events"},
    {"results_key", CFG_STR, RS_OFF(results_key), "results", check_key_part, 0, 0,
     "results stream: {tag}:results"},
    {"dead_key", CFG_STR, RS_OFF(dead_key), "dead", check_key_part, 0, 0,
     "dead-letter stream: {tag}:dead"},
    {"usage_key", CFG_STR, RS_OFF(usage_key), "usage", check_key_part, 0, 0,
     "usage hashes: {tag}:usage:<tenant>"},
    {"group", CFG_STR, RS_OFF(group), "stepxd", check_key_part, 0, 0, "consumer group"},
    {"group_start", CFG_STR, RS_OFF(group_start), "0", check_key_part, 0, 0,
     "id the group starts from when stepxd creates it (0 = whole stream)"},
    {"consumer", CFG_STR, RS_OFF(consumer), NULL, check_key_part, 0, 0,
     "consumer name prefix (default: <host name>-<pid>); worker i is <prefix>-<i>"},
    {"read_count", CFG_INT, RS_OFF(read_count), "256", NULL, 1, 100000, "XREADGROUP COUNT"},
    {"read_block", CFG_MS, RS_OFF(read_block_ms), "1s", NULL, 1, 600000,
     "XREADGROUP BLOCK when the worker holds nothing"},
    {"poll_interval", CFG_MS, RS_OFF(poll_ms), "2ms", NULL, 1, 10000,
     "re-read delay after an empty read while entries are held"},
    {"max_inflight", CFG_INT, RS_OFF(max_inflight), "1024", NULL, 1, 10000000,
     "entries read and not yet committed, per worker"},
    {"commit_batch", CFG_INT, RS_OFF(commit_batch), "256", NULL, 1, 4096,
     "entries per commit script"},
    {"cmd_timeout", CFG_MS, RS_OFF(cmd_timeout_ms), "5s", NULL, 1, MS_MAX,
     "timeout of each Redis command (BLOCK time is added)"},
    {"connect_timeout", CFG_MS, RS_OFF(connect_timeout_ms), "2s", NULL, 1, MS_MAX,
     "timeout of a connection attempt"},
    {"reconnect_min", CFG_MS, RS_OFF(reconnect_min_ms), "100ms", NULL, 1, MS_MAX,
     "first reconnect delay (doubles per failure, +-20% jitter)"},
    {"reconnect_max", CFG_MS, RS_OFF(reconnect_max_ms), "5s", NULL, 1, MS_MAX,
     "longest reconnect delay"},
    {"results_maxlen", CFG_INT, RS_OFF(results_maxlen), "1000000", NULL, 1, INT64_MAX,
     "results stream MAXLEN ~"},
    {"dead_maxlen", CFG_INT, RS_OFF(dead_maxlen), "100000", NULL, 1, INT64_MAX,
     "dead-letter stream MAXLEN ~"},
    {"claim_idle", CFG_MS, RS_OFF(claim_idle_ms), "30s", NULL, 10, MS_MAX,
     "idle time after which another worker takes a pending entry over (XAUTOCLAIM)"},
    {"claim_interval", CFG_MS, RS_OFF(claim_interval_ms), "5s", NULL, 1, MS_MAX,
     "how often to reclaim idle entries and refresh own long-running ones"},
    {"claim_count", CFG_INT, RS_OFF(claim_count), "256", NULL, 1, 100000, "XAUTOCLAIM COUNT"},
    {"max_deliveries", CFG_INT, RS_OFF(max_deliveries), "5", NULL, 1, 1000000,
     "dead-letter an entry delivered more often than this"},
    {"max_input", CFG_SIZE, RS_OFF(max_input), "256k", NULL, 1, 1LL << 30,
     "largest input accepted; larger ones are dead-lettered"},
    {"check_eviction", CFG_BOOL, RS_OFF(check_eviction), "on", NULL, 0, 0,
     "refuse to run unless Redis maxmemory-policy is noeviction"},
    {"trim_interval", CFG_MS, RS_OFF(trim_interval_ms), "10s", NULL, 0, MS_MAX,
     "MINID-trim the events stream this often, below every group's needs (0 = never)"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

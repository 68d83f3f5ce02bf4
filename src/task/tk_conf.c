/*
 * tk_conf.c: the directive table of the task integrations (cfg.h), config defaults, and
 * the functions common to every resource object (free, counters).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tk_int.h"

static int
check_table(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *s = *(char *const *)field;
    tk_table_t t;
    SX_UNUSED(d);
    if (tk_table_parse(&t, s, msg, len) != SX_OK)
        return SX_ERR;
    tk_table_fini(&t);
    return SX_OK;
}

#define TK_OFF(f) offsetof(tk_config_t, f)
#define MS_MAX (24LL * 3600 * 1000)

const cfg_directive_t tk_conf_directives[] = {
    {"http_timeout", CFG_MS, TK_OFF(http_timeout_ms), "60s", NULL, 1, MS_MAX,
     "whole HTTP request of a Task (AWS: 60 s socket timeout -> States.Http.Socket)"},
    {"http_connect_timeout", CFG_MS, TK_OFF(connect_timeout_ms), "10s", NULL, 1, MS_MAX,
     "TCP + TLS connect of a Task request"},
    {"http_max_host_connections", CFG_INT, TK_OFF(max_host_connections), "64", NULL, 1, 100000,
     "parallel connections per host and worker (more requests queue)"},
    {"http_max_connections", CFG_INT, TK_OFF(max_connections), "256", NULL, 1, 100000,
     "keep-alive connection cache per worker"},
    {"http_max_response", CFG_SIZE, TK_OFF(max_response), "256k", NULL, 1, 1LL << 30,
     "largest response body of a Task (more -> States.DataLimitExceeded)"},
    {"http_tls_verify", CFG_BOOL, TK_OFF(tls_verify), "on", NULL, 0, 0,
     "verify TLS certificates and host names"},
    {"http_ca_file", CFG_STR, TK_OFF(ca_file), NULL, NULL, 0, 0,
     "CA bundle for TLS (default: libcurl's)"},
    {"lambda_functions", CFG_STR, TK_OFF(lambda_functions), NULL, check_table, 0, 0,
     "Lambda function -> invoke URL: name=url,...; * = any; {name} in a URL = the name"},
    {"aws_region", CFG_STR, TK_OFF(region), "us-east-1", NULL, 0, 0, "region printed in ARNs"},
    {"aws_account", CFG_STR, TK_OFF(account), "123456789012", NULL, 0, 0,
     "account id printed in ARNs"},
    {"event_buses", CFG_STR, TK_OFF(event_buses), NULL, check_table, 0, 0,
     "EventBridge bus -> Redis stream: bus=stream,..."},
    {"bus_stream_prefix", CFG_STR, TK_OFF(bus_stream_prefix), "stepx:bus:", NULL, 0, 0,
     "stream of a bus not listed in event_buses: prefix + bus name"},
    {"bus_maxlen", CFG_INT, TK_OFF(bus_maxlen), "1000000", NULL, 0, INT64_MAX,
     "MAXLEN ~ of bus streams (0 = no trimming)"},
    {"bus_timeout", CFG_MS, TK_OFF(redis_timeout_ms), "5s", NULL, 1, MS_MAX,
     "deadline of each XADD of events:putEvents"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

void
tk_config_init(tk_config_t *c)
{
    cfg_section_t sec = {tk_conf_directives, c};
    cfg_err_t err;
    memset(c, 0, sizeof(*c));
    if (SX_NEVER(cfg_defaults_apply(&sec, 1, &err) != SX_OK))
        fprintf(stderr, "tk_config_init: %s\n", err.msg);
}

void
tk_config_fini(tk_config_t *c)
{
    cfg_section_t sec = {tk_conf_directives, c};
    cfg_sections_fini(&sec, 1);
}

void
tk_resource_free(ex_resource_t *r)
{
    tk_res_t *h = r->ud;
    if (h != NULL)
        h->free(h);
    r->ud = NULL;
}

void
tk_resource_stats(const ex_resource_t *r, tk_stats_t *out)
{
    const tk_res_t *h = r->ud;
    memset(out, 0, sizeof(*out));
    if (h != NULL)
        *out = h->stats;
}

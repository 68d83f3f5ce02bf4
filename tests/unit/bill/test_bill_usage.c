/*
 * test_bill_usage.c: usage keys, rows and pricing, then reading real Redis hashes (a
 * redis-server on a random loopback port via scripts/redis-test.sh) through bill_usage_read
 * and through the `stepx usage` binary (build/bin/stepx next to this test's directory).
 * When redis-server is not installed the Redis tests print SKIP and pass.
 */
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stepx/bill.h"
#include "../sx_test.h"

static void
test_day_valid(void)
{
    CHECK(bill_day_valid("2024-02-29", 10));
    CHECK(!bill_day_valid("2023-02-29", 10));
    CHECK(bill_day_valid("2000-02-29", 10));
    CHECK(!bill_day_valid("1900-02-29", 10));
    CHECK(!bill_day_valid("2024-13-01", 10));
    CHECK(!bill_day_valid("2024-04-31", 10));
    CHECK(!bill_day_valid("2024-4-01", 9));
    CHECK(!bill_day_valid("2024/04/01", 10));
    CHECK(!bill_day_valid("2024-04-00", 10));
}

static void
test_key_parse(void)
{
    const char *t;
    size_t tl;
    char day[11];
    const char *k = "{stepx}:usage:acme";
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_OK);
    CHECK(tl == 4 && memcmp(t, "acme", 4) == 0 && day[0] == '\0');
    k = "{stepx}:usage:acme:2024-01-31";
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_OK);
    CHECK(tl == 4 && memcmp(t, "acme", 4) == 0);
    CHECK_STR(day, "2024-01-31");
    k = "{stepx}:usage:a:b:2024-01-31"; /* tenant with a colon */
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_OK);
    CHECK(tl == 3 && memcmp(t, "a:b", 3) == 0);
    k = "{stepx}:usage:acme:2024-02-30"; /* not a date: an all-time key of that tenant */
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_OK);
    CHECK(tl == 15 && day[0] == '\0');
    k = "{other}:usage:acme";
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_DECLINED);
    k = "{stepx}:events";
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_DECLINED);
    k = "{stepx}:usage:";
    CHECK(bill_usage_key_parse(k, strlen(k), "stepx", &t, &tl, day) == SX_DECLINED);
}

static int
add(bill_usage_t *u, const char *tenant, const char *month, const char *f, const char *v)
{
    return bill_usage_add(u, tenant, month, f, strlen(f), v, strlen(v));
}

static void
test_rows_merge_and_price(void)
{
    bill_usage_t u;
    bill_pricing_t p;
    bill_pricing_default(&p);
    bill_usage_init(&u);
    CHECK(add(&u, "t", "2024-03", "A|requests", "2") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "A|billed_mb_ms", "6400") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "B|requests", "1") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "B|billed_mb_ms", "19200") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "A|TIMED_OUT", "1") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "x|y|requests", "1") == SX_OK); /* machine "x|y" */
    CHECK(add(&u, "t", "2024-03", "A|colour", "1") == SX_DECLINED);
    CHECK(add(&u, "t", "2024-03", "requests", "1") == SX_DECLINED);
    CHECK(add(&u, "t", "2024-03", "|requests", "1") == SX_DECLINED);
    CHECK(add(&u, "t", "2024-03", "A|requests", "2x") == SX_ERR);
    CHECK(add(&u, "t", "2024-03", "A|requests", "") == SX_ERR);
    CHECK_INT(u.skipped, 3);
    CHECK(add(&u, "s", "2024-03", "A|requests", "5") == SX_OK);
    CHECK(add(&u, "t", "2024-03", "A|requests", "3") == SX_OK); /* after other rows */
    bill_usage_done(&u);
    CHECK_INT(u.n, 4);
    CHECK_STR(u.rows[0].tenant, "s");
    CHECK_STR(u.rows[1].machine, "A");
    CHECK_INT(u.rows[1].c.requests, 5);
    CHECK_INT(u.rows[1].c.status[BILL_ST_TIMED_OUT], 1);
    CHECK_STR(u.rows[3].machine, "x|y");
    CHECK(bill_usage_price(&u, &p) == SX_OK);
    /* t/2024-03: 25600 MB·ms at $0.06/GB-h = 416.67 nUSD -> 417; A gets 1/4, B 3/4 */
    CHECK_INT(u.rows[1].cost_nusd, 5 * 1000 + 104);
    CHECK_INT(u.rows[2].cost_nusd, 1000 + 313);
    bill_usage_fini(&u);
}

/* ---- real Redis ---- */

static int port;
static redisContext *rc;

static int
redis_start(void)
{
    FILE *f;
    char buf[32] = "";
    if (system("command -v redis-server >/dev/null 2>&1") != 0)
        return -1;
    f = popen("scripts/redis-test.sh start 0 2>/dev/null", "r");
    if (f == NULL)
        return -1;
    if (fgets(buf, sizeof(buf), f) == NULL)
        buf[0] = '\0';
    pclose(f);
    port = atoi(buf);
    if (port <= 0)
        return -1;
    rc = redisConnect("127.0.0.1", port);
    return rc != NULL && rc->err == 0 ? 0 : -1;
}

static void
redis_stop(void)
{
    char cmd[96];
    if (rc != NULL)
        redisFree(rc);
    rc = NULL;
    snprintf(cmd, sizeof(cmd), "scripts/redis-test.sh stop %d", port);
    if (system(cmd) != 0)
        fprintf(stderr, "  redis-test.sh stop failed\n");
}

static void
hset(const char *key, const char *field, long long v)
{
    redisReply *r = redisCommand(rc, "HINCRBY %s %s %lld", key, field, v);
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER);
    if (r != NULL)
        freeReplyObject(r);
}

/* One finished execution counted as stepxd's commit script does. */
static void
bill_one(const char *key, const char *m, const char *status, long long ms, long long mb,
         long long tr)
{
    char f[128];
    snprintf(f, sizeof(f), "%s|requests", m);
    hset(key, f, 1);
    snprintf(f, sizeof(f), "%s|billed_ms", m);
    hset(key, f, ms);
    snprintf(f, sizeof(f), "%s|billed_mb_ms", m);
    hset(key, f, ms * mb);
    snprintf(f, sizeof(f), "%s|transitions", m);
    hset(key, f, tr);
    snprintf(f, sizeof(f), "%s|%s", m, status);
    hset(key, f, 1);
}

static void
fill(void)
{
    /* acme: two machines over three days spanning two months, plus its all-time hash */
    bill_one("{stepx}:usage:acme:2024-01-30", "Order", "SUCCEEDED", 200, 64, 5);
    bill_one("{stepx}:usage:acme:2024-01-31", "Order", "FAILED", 100, 64, 3);
    bill_one("{stepx}:usage:acme:2024-01-31", "Refund", "SUCCEEDED", 300, 128, 7);
    bill_one("{stepx}:usage:acme:2024-02-01", "Order", "TIMED_OUT", 300000, 64, 2);
    bill_one("{stepx}:usage:acme", "Order", "SUCCEEDED", 200, 64, 5);
    bill_one("{stepx}:usage:acme", "Order", "FAILED", 100, 64, 3);
    bill_one("{stepx}:usage:acme", "Refund", "SUCCEEDED", 300, 128, 7);
    bill_one("{stepx}:usage:acme", "Order", "TIMED_OUT", 300000, 64, 2);
    /* acme2 must not leak into --tenant acme; a*b checks glob escaping */
    bill_one("{stepx}:usage:acme2:2024-01-31", "Order", "SUCCEEDED", 100, 64, 1);
    bill_one("{stepx}:usage:a*b:2024-01-31", "Order", "SUCCEEDED", 100, 64, 1);
    /* AWS's example within one month, and the same usage split over two months */
    hset("{stepx}:usage:big:2024-03-15", "M|requests", 100000000);
    hset("{stepx}:usage:big:2024-03-15", "M|billed_mb_ms", 100000000LL * 10000 * 64);
    hset("{stepx}:usage:split:2024-03-31", "M|billed_mb_ms", 1000 * BILL_MBMS_PER_GBH);
    hset("{stepx}:usage:split:2024-04-01", "M|billed_mb_ms", 1000 * BILL_MBMS_PER_GBH);
    /* noise: another tag, a string key, a non-counter field */
    hset("{other}:usage:acme:2024-01-31", "Order|requests", 1000);
    freeReplyObject(redisCommand(rc, "SET {stepx}:usage:zzz:2024-01-31 hello"));
    hset("{stepx}:usage:acme:2024-01-31", "Order|note", 1);
}

static const bill_row_t *
row(const bill_usage_t *u, const char *tenant, const char *month, const char *machine)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->rows[i].tenant, tenant) == 0 && strcmp(u->rows[i].month, month) == 0 &&
            strcmp(u->rows[i].machine, machine) == 0)
            return &u->rows[i];
    return NULL;
}

static void
check_period(void)
{
    bill_usage_t u;
    char err[256];
    const bill_row_t *r;
    bill_usage_init(&u);
    CHECK(bill_usage_read(rc, "stepx", "acme", "2024-01-31", "2024-02-01", &u, err,
                          sizeof(err)) == SX_OK);
    CHECK_INT(u.n, 3); /* Order/01, Refund/01, Order/02 */
    r = row(&u, "acme", "2024-01", "Order");
    CHECK(r != NULL && r->c.requests == 1 && r->c.billed_ms == 100 &&
          r->c.status[BILL_ST_FAILED] == 1 && r->c.transitions == 3);
    r = row(&u, "acme", "2024-02", "Order");
    CHECK(r != NULL && r->c.billed_mb_ms == 300000 * 64 && r->c.status[BILL_ST_TIMED_OUT] == 1);
    CHECK_INT(u.skipped, 1);
    bill_usage_fini(&u);

    bill_usage_init(&u); /* every tenant, the whole of January */
    CHECK(bill_usage_read(rc, "stepx", NULL, "2024-01-01", "2024-01-31", &u, err,
                          sizeof(err)) == SX_OK);
    r = row(&u, "acme", "2024-01", "Order");
    CHECK(r != NULL && r->c.requests == 2 && r->c.billed_ms == 300 && r->c.transitions == 8);
    CHECK(row(&u, "acme2", "2024-01", "Order") != NULL);
    CHECK(row(&u, "a*b", "2024-01", "Order") != NULL);
    CHECK(row(&u, "zzz", "2024-01", "Order") == NULL);
    CHECK(row(&u, "big", "2024-03", "M") == NULL);
    CHECK_INT(u.n, 4);
    bill_usage_fini(&u);

    bill_usage_init(&u);
    CHECK(bill_usage_read(rc, "stepx", "a*b", "2024-01-01", "2024-12-31", &u, err,
                          sizeof(err)) == SX_OK);
    CHECK_INT(u.n, 1);
    bill_usage_fini(&u);
}

static void
check_all_time_and_price(void)
{
    bill_usage_t u;
    bill_pricing_t p;
    char err[256];
    const bill_row_t *r;
    bill_pricing_default(&p);
    bill_usage_init(&u);
    CHECK(bill_usage_read(rc, "stepx", "acme", NULL, NULL, &u, err, sizeof(err)) == SX_OK);
    CHECK_INT(u.n, 2);
    r = row(&u, "acme", "", "Order");
    CHECK(r != NULL && r->c.requests == 3 && r->c.billed_ms == 300300);
    bill_usage_fini(&u);

    bill_usage_init(&u);
    CHECK(bill_usage_read(rc, "stepx", NULL, "2024-03-01", "2024-04-30", &u, err,
                          sizeof(err)) == SX_OK);
    CHECK(bill_usage_price(&u, &p) == SX_OK);
    r = row(&u, "big", "2024-03", "M");
    CHECK(r != NULL && r->cost_nusd == 482969444444LL); /* $482.97 */
    /* split: 1000 GB-h in each month = $60 + $60 (one month would be $60 + $30) */
    CHECK(row(&u, "split", "2024-03", "M")->cost_nusd == 60 * BILL_NUSD_PER_USD);
    CHECK(row(&u, "split", "2024-04", "M")->cost_nusd == 60 * BILL_NUSD_PER_USD);
    sx_sbuf_t b = SX_SBUF_INIT;
    bill_usage_json(&u, &p, "2024-03-01", "2024-04-30", &b);
    CHECK(strstr(b.p, "\"tenant\":\"big\",\"requests\":100000000,") != NULL);
    CHECK(strstr(b.p, "\"cost_usd\":482.969444444,\"months\"") != NULL);
    CHECK(strstr(b.p, "\"gb_h_by_tier\":[1000.000,4000.000,12361.111]") != NULL);
    CHECK(strstr(b.p, "\"tenant\":\"split\"") != NULL);
    CHECK(strstr(b.p, "\"total\":{\"requests\":100000000,") != NULL);
    CHECK(strstr(b.p, "\"cost_usd\":602.969444444}}") != NULL);
    sx_sbuf_fini(&b);
    bill_usage_fini(&u);
}

/* Runs `stepx usage ARGS --redis 127.0.0.1:port` and returns its stdout (heap) or NULL. */
static char *
stepx_usage(const char *args, int *status)
{
    char exe[PATH_MAX], cmd[PATH_MAX + 256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    snprintf(cmd, sizeof(cmd), "%s/../bin/stepx usage --redis 127.0.0.1:%d %s", exe, port, args);
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        return NULL;
    sx_sbuf_t b = SX_SBUF_INIT;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        sx_sbuf_add(&b, buf, got);
    *status = pclose(f);
    return b.p;
}

static void
check_cli(void)
{
    int st = -1;
    char *out = stepx_usage("--tenant acme --since 2024-01-30 --until 2024-01-31 --json", &st);
    CHECK(out != NULL && st == 0);
    if (out != NULL) {
        sx_arena_t *a = sx_arena_new(0);
        const val_t *v = NULL, *t;
        val_json_err_t je;
        CHECK(val_json_parse(a, out, strlen(out), &v, &je) == SX_OK);
        t = v ? val_arr_at(val_obj_gets(v, "tenants"), 0) : NULL;
        CHECK(t != NULL && val_num_get(val_obj_gets(t, "requests")) == 3);
        CHECK(t != NULL && val_num_get(val_obj_gets(t, "transitions")) == 15);
        /* 600 ms: 200x64 + 100x64 + 300x128 = 57600 MB·ms -> 937.5 nUSD; + 3 requests */
        CHECK(t != NULL && val_num_get(val_obj_gets(t, "cost_usd")) == 0.000003938);
        CHECK(t != NULL && val_len(val_obj_gets(t, "machines")) == 2);
        sx_arena_free(a);
    }
    sx_free(out);
    out = stepx_usage("--tenant acme", &st);
    CHECK(out != NULL && st == 0 && strstr(out, "usage all-time") != NULL);
    CHECK(out != NULL && strstr(out, "Refund") != NULL);
    sx_free(out);
    out = stepx_usage("--since 2024-02-30 2>/dev/null", &st);
    CHECK(out == NULL && WIFEXITED(st) && WEXITSTATUS(st) == 2); /* nothing on stdout */
    sx_free(out);
}

static void
test_redis(void)
{
    if (redis_start() != 0) {
        printf("SKIP redis tests: redis-server unavailable\n");
        return;
    }
    fill();
    check_period();
    check_all_time_and_price();
    check_cli();
    redis_stop();
}

static const sx_test_t tests[] = {
    {"day_valid", test_day_valid},
    {"key_parse", test_key_parse},
    {"rows_merge_and_price", test_rows_merge_and_price},
    {"redis", test_redis},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("bill_usage", tests, argc, argv);
}

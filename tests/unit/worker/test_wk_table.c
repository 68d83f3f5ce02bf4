/*
 * test_wk_table.c: the machine table of stepxd (wk_table.c, wk_src.c): build, lookup by name
 * and ARN, reuse of compiled machines across reloads, keeping the last good definition,
 * metadata sidecars, the directory reader and its change stamp, registry entries; and the
 * scheduler hooks the worker loop uses (sch_runnable, sch_next_deadline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sx_test.h"
#include "stepx/sched.h"
#include "stepx/worker.h"

static const char PASS_A[] =
    "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}";
static const char PASS_B[] =
    "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":1,\"End\":true}}}";
static const char BROKEN[] = "{\"StartAt\":\"Nope\",\"States\":{}}";

static int nlogs;
static void
count_log(int level, const char *msg)
{
    SX_UNUSED(level);
    SX_UNUSED(msg);
    nlogs++;
}

static wk_src_t
src(const char *name, const char *def, const char *meta)
{
    wk_src_t s = {name, def, strlen(def), meta, meta ? strlen(meta) : 0, "test"};
    return s;
}

static void
test_build_find(void)
{
    wk_src_t v[] = {src("alpha", PASS_A, NULL), src("beta", PASS_B, "{\"type\":\"STANDARD\"}")};
    size_t errors = 9;
    wk_table_t *t = wk_table_build(NULL, v, 2, count_log, &errors);
    CHECK_INT(errors, 0);
    CHECK_INT(wk_table_count(t), 2);
    const wk_machine_t *a = wk_table_find(t, "alpha", 5);
    CHECK(a != NULL && a->type == ASL_TYPE_EXPRESS && strcmp(a->name, "alpha") == 0);
    const wk_machine_t *b = wk_table_find(t, "beta", 4);
    CHECK(b != NULL && b->type == ASL_TYPE_STANDARD);
    const char arn[] = "arn:aws:states:us-east-1:123456789012:stateMachine:beta";
    CHECK(wk_table_find(t, arn, sizeof(arn) - 1) == b);
    CHECK(wk_table_find(t, "alph", 4) == NULL);
    CHECK(wk_table_find(t, "alphax", 6) == NULL);
    CHECK(wk_table_find(t, "gamma", 5) == NULL);
    CHECK(wk_table_find(NULL, "alpha", 5) == NULL);
    wk_table_unref(t);
}

static void
test_reload_reuses_and_keeps(void)
{
    wk_src_t v1[] = {src("alpha", PASS_A, NULL), src("beta", PASS_B, NULL)};
    wk_table_t *t1 = wk_table_build(NULL, v1, 2, count_log, NULL);
    /* alpha unchanged, beta broken, gamma new and broken */
    wk_src_t v2[] = {src("alpha", PASS_A, NULL), src("beta", BROKEN, NULL),
                     src("gamma", BROKEN, NULL)};
    size_t errors = 0;
    nlogs = 0;
    wk_table_t *t2 = wk_table_build(t1, v2, 3, count_log, &errors);
    CHECK_INT(errors, 2);
    CHECK(nlogs >= 2);
    CHECK(wk_table_gen(t2) > wk_table_gen(t1));
    CHECK(wk_table_find(t2, "alpha", 5)->m == wk_table_find(t1, "alpha", 5)->m); /* shared */
    CHECK(wk_table_find(t2, "beta", 4)->m == wk_table_find(t1, "beta", 4)->m);   /* kept */
    CHECK(wk_table_find(t2, "gamma", 5) == NULL);
    /* a changed definition is compiled again */
    wk_src_t v3[] = {src("alpha", PASS_B, NULL)};
    wk_table_t *t3 = wk_table_build(t2, v3, 1, NULL, &errors);
    CHECK_INT(errors, 0);
    CHECK(wk_table_find(t3, "alpha", 5)->m != wk_table_find(t1, "alpha", 5)->m);
    CHECK(wk_table_find(t3, "beta", 4) == NULL);
    /* the machines outlive the table that made them */
    wk_table_t *keep = wk_table_ref(t2);
    wk_table_unref(t1);
    wk_table_unref(t2);
    CHECK(wk_table_find(keep, "alpha", 5)->m->nstates == 1);
    wk_table_unref(keep);
    wk_table_unref(t3);
}

static void
test_meta(void)
{
    const char *log_meta =
        "{\"tenant\":\"acme\",\"loggingConfiguration\":{\"level\":\"ALL\","
        "\"includeExecutionData\":true,\"destinations\":[{\"cloudWatchLogsLogGroup\":"
        "{\"logGroupArn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/x:*\"}}]}}";
    wk_src_t v[] = {src("logged", PASS_A, log_meta), src("badtype", PASS_A, "{\"type\":\"X\"}"),
                    src("badlog", PASS_A, "{\"loggingConfiguration\":{\"level\":\"LOUD\"}}"),
                    src("notjson", PASS_A, "{")};
    size_t errors = 0;
    wk_table_t *t = wk_table_build(NULL, v, 4, NULL, &errors);
    CHECK_INT(errors, 3);
    const wk_machine_t *e = wk_table_find(t, "logged", 6);
    CHECK(e != NULL && e->logging && e->log.level == LOG_LEVEL_ALL && e->log.include_data);
    CHECK_STR(e->tenant, "acme");
    CHECK_INT(wk_table_count(t), 1);
    wk_table_unref(t);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static void
test_dir(void)
{
    char dir[] = "/tmp/wk_test_XXXXXX", err[256];
    CHECK(mkdtemp(dir) != NULL);
    write_file(dir, "one.asl.json", PASS_A);
    write_file(dir, "one.meta.json", "{\"type\":\"STANDARD\"}");
    write_file(dir, "two.asl.json", PASS_B);
    write_file(dir, "ignored.json", PASS_B);
    uint64_t st1 = wk_dir_stamp(dir);
    wk_srcset_t s;
    wk_srcset_init(&s);
    CHECK_INT(wk_dir_read(dir, &s, NULL, err, sizeof(err)), SX_OK);
    CHECK_INT(s.n, 2);
    CHECK(s.stamp == st1 && st1 != 0);
    wk_table_t *t = wk_table_build(NULL, s.v, s.n, NULL, NULL);
    CHECK(wk_table_find(t, "one", 3)->type == ASL_TYPE_STANDARD);
    CHECK(strncmp(wk_table_find(t, "two", 3)->origin, "file:", 5) == 0);
    wk_table_unref(t);
    CHECK_INT(wk_dir_stamp(dir) == st1, 1);
    write_file(dir, "two.asl.json", PASS_A); /* size changes */
    CHECK(wk_dir_stamp(dir) != st1);
    wk_srcset_fini(&s);
    char p[512];
    const char *names[] = {"one.asl.json", "one.meta.json", "two.asl.json", "ignored.json"};
    for (size_t i = 0; i < SX_ARRAY_LEN(names); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    CHECK_INT(wk_dir_stamp(dir), 0);
    wk_srcset_init(&s);
    CHECK_INT(wk_dir_read(dir, &s, NULL, err, sizeof(err)), SX_ERR);
    wk_srcset_fini(&s);
}

static void
test_registry(void)
{
    wk_srcset_t s;
    char err[256];
    wk_srcset_init(&s);
    const char *obj = "{\"definition\":{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\","
                      "\"End\":true}}},\"type\":\"EXPRESS\",\"revision\":3}";
    const char *txt = "{\"definition\":\"{\\\"StartAt\\\":\\\"A\\\",\\\"States\\\":{\\\"A\\\":"
                      "{\\\"Type\\\":\\\"Succeed\\\"}}}\"}";
    CHECK_INT(wk_registry_add(&s, "obj", 3, obj, strlen(obj), "redis", err, sizeof(err)), SX_OK);
    CHECK_INT(wk_registry_add(&s, "txt", 3, txt, strlen(txt), "redis", err, sizeof(err)), SX_OK);
    CHECK_INT(wk_registry_add(&s, "bad", 3, "[1]", 3, "redis", err, sizeof(err)), SX_ERR);
    CHECK_INT(wk_registry_add(&s, "nodef", 5, "{}", 2, "redis", err, sizeof(err)), SX_ERR);
    CHECK_INT(wk_registry_add(&s, "", 0, obj, strlen(obj), "redis", err, sizeof(err)), SX_ERR);
    /* a second entry of the same name replaces the first */
    CHECK_INT(wk_registry_add(&s, "obj", 3, obj, strlen(obj), "redis", err, sizeof(err)), SX_OK);
    CHECK_INT(s.n, 2);
    size_t errors = 0;
    wk_table_t *t = wk_table_build(NULL, s.v, s.n, NULL, &errors);
    CHECK_INT(errors, 0);
    CHECK_INT(wk_table_find(t, "obj", 3)->revision, 3);
    CHECK(wk_table_find(t, "txt", 3) != NULL);
    wk_table_unref(t);
    wk_srcset_fini(&s);
}

static void
tick(sch_timer_t *t)
{
    SX_UNUSED(t);
}

static void
test_sched_hooks(void)
{
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1000);
    sch_timer_t a = {tick, 0, 0}, b = {tick, 0, 0};
    sch_task_t task = {NULL, NULL, 0};
    CHECK(!sch_runnable(s));
    CHECK(sch_next_deadline(s) == INT64_MAX);
    sch_timer_arm(s, &a, 5000);
    sch_timer_arm(s, &b, 3000);
    CHECK(sch_next_deadline(s) == 3000);
    sch_timer_cancel(s, &b);
    CHECK(sch_next_deadline(s) == 5000);
    sch_post(s, &task);
    CHECK(sch_runnable(s));
    sch_timer_cancel(s, &a);
    CHECK(sch_next_deadline(s) == INT64_MAX);
    sch_free(s);
}

static const sx_test_t tests[] = {
    {"build_find", test_build_find},
    {"reload_reuses_and_keeps", test_reload_reuses_and_keeps},
    {"meta", test_meta},
    {"dir", test_dir},
    {"registry", test_registry},
    {"sched_hooks", test_sched_hooks},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("worker", tests, argc, argv);
}

/*
 * cli_run.c: `stepx run DEF.json [--input FILE] [--type EXPRESS|STANDARD]
 *            [--state-machine-name SM] [--name EXEC] [--fast-waits]
 *            [--mock-config FILE --test-case TC] [--history] [--log-level LEVEL]`
 *
 * Runs one execution in-process on a scheduler (virtual clock with --fast-waits) and prints
 * exactly one JSON line on stdout, as StartSyncExecution reports it:
 *   {"status":"SUCCEEDED","output":...,"billingDetails":{...}}
 *   {"status":"FAILED"|"TIMED_OUT","error":...,"cause":...,"billingDetails":{...}}
 * (absent error/cause omitted). --history prints the history events as one JSON array on
 * stderr; --log-level ALL|ERROR|FATAL|OFF prints the CloudWatch log events a
 * loggingConfiguration of that level (includeExecutionData true) would write, one per line on
 * stderr (src/log). Exit 0 whenever the execution ran (even FAILED); 2 for usage errors, an invalid
 * definition or unreadable/malformed input (reason on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stepx/bill.h"
#include "stepx/exec.h"
#include "stepx/log.h"
#include "stepx/mock.h"

typedef struct run_args {
    const char *def, *input, *type, *sm, *name, *mock, *tc, *log_level;
    int fast, history;
} run_args_t;

static int
usage(void)
{
    fprintf(stderr, "usage: stepx run DEF.json [--input FILE] [--type EXPRESS|STANDARD]\n"
                    "         [--state-machine-name SM] [--name EXEC] [--fast-waits]\n"
                    "         [--mock-config FILE --test-case TC] [--history]\n"
                    "         [--log-level ALL|ERROR|FATAL|OFF]\n");
    return 2;
}

static int
parse_args(int argc, char **argv, run_args_t *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--fast-waits") == 0) {
            a->fast = 1;
            continue;
        }
        if (strcmp(o, "--history") == 0) {
            a->history = 1;
            continue;
        }
        if (strcmp(o, "--input") == 0)
            slot = &a->input;
        else if (strcmp(o, "--type") == 0)
            slot = &a->type;
        else if (strcmp(o, "--state-machine-name") == 0)
            slot = &a->sm;
        else if (strcmp(o, "--name") == 0)
            slot = &a->name;
        else if (strcmp(o, "--mock-config") == 0)
            slot = &a->mock;
        else if (strcmp(o, "--test-case") == 0)
            slot = &a->tc;
        else if (strcmp(o, "--log-level") == 0)
            slot = &a->log_level;
        if (slot != NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "stepx run: %s needs a value\n", o);
                return SX_ERR;
            }
            *slot = argv[++i];
            continue;
        }
        if (o[0] == '-' && o[1] != '\0') {
            fprintf(stderr, "stepx run: unknown option '%s'\n", o);
            return SX_ERR;
        }
        if (a->def != NULL) {
            fprintf(stderr, "stepx run: more than one definition given\n");
            return SX_ERR;
        }
        a->def = o;
    }
    if (a->def == NULL || (a->mock != NULL) != (a->tc != NULL)) {
        if (a->def != NULL)
            fprintf(stderr, "stepx run: --mock-config and --test-case go together\n");
        return SX_ERR;
    }
    return SX_OK;
}

/* The default state machine name: the file name without .asl.json / .json. */
static char *
default_sm_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 9 && strcmp(b + n - 9, ".asl.json") == 0)
        n -= 9;
    else if (n > 5 && strcmp(b + n - 5, ".json") == 0)
        n -= 5;
    return sx_strndup(b, n);
}

static void
print_result(ex_exec_t *ex)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    ex_status_t st = ex_exec_status(ex);
    int64_t mb, ms;
    sx_sbuf_adds(&b, "{\"status\":");
    val_json_quote(&b, ex_status_name(st), strlen(ex_status_name(st)));
    if (st == EX_SUCCEEDED) {
        sx_sbuf_adds(&b, ",\"output\":");
        val_json_print(&b, ex_exec_output(ex));
    } else {
        const char *e = ex_exec_error(ex), *c = ex_exec_cause(ex);
        if (e != NULL) {
            sx_sbuf_adds(&b, ",\"error\":");
            val_json_quote(&b, e, strlen(e));
        }
        if (c != NULL) {
            sx_sbuf_adds(&b, ",\"cause\":");
            val_json_quote(&b, c, strlen(c));
        }
    }
    ex_usage_t u;
    ex_exec_usage(ex, &u);
    mb = bill_memory_billed_mb(bill_memory_estimate_bytes(u.def_bytes, u.data_bytes, u.steps));
    ms = bill_duration_billed_ms(u.duration_ms);
    sx_sbuf_addf(&b,
                 ",\"billingDetails\":{\"billedMemoryUsedInMB\":%lld,"
                 "\"billedDurationInMilliseconds\":%lld}}\n",
                 (long long)mb, (long long)ms);
    fwrite(b.p, 1, b.len, stdout);
    fflush(stdout);
    sx_sbuf_fini(&b);
}

int
cli_run(int argc, char **argv)
{
    run_args_t args;
    asl_type_t type = ASL_TYPE_STANDARD;
    asl_machine_t *m = NULL;
    mock_cfg_t *mock = NULL;
    sch_t *sch = NULL;
    sx_arena_t *in_arena = NULL;
    char *text = NULL, *why = NULL, *smname = NULL;
    size_t len = 0;
    int rc = 2;
    if (parse_args(argc, argv, &args) != SX_OK)
        return usage();
    if (args.type != NULL && asl_type_parse(args.type, &type) != SX_OK) {
        fprintf(stderr, "stepx run: --type must be EXPRESS or STANDARD\n");
        return 2;
    }
    if (sx_read_file(args.def, &text, &len) != SX_OK) {
        fprintf(stderr, "stepx run: cannot read definition '%s'\n", args.def);
        return 2;
    }
    if (asl_machine_compile_text(text, len, type, &m, &why) != SX_OK) {
        fprintf(stderr, "%s", why ? why : "invalid definition\n");
        goto out;
    }
    in_arena = sx_arena_new(0);
    const val_t *input;
    if (cli_load_json("run", args.input, in_arena, &input) != SX_OK)
        goto out;
    smname = args.sm ? sx_strdup(args.sm) : default_sm_name(args.def);
    sch = sch_new(args.fast ? SCH_CLOCK_VIRTUAL : SCH_CLOCK_REAL, 0);
    ex_engine_t eng;
    ex_engine_init(&eng, sch);
    if (args.mock != NULL) {
        char *mtext = NULL, err[512];
        size_t mlen = 0;
        ex_resource_t r;
        if (sx_read_file(args.mock, &mtext, &mlen) != SX_OK) {
            fprintf(stderr, "stepx run: cannot read mock config '%s'\n", args.mock);
            goto out;
        }
        int prc = mock_cfg_parse(mtext, mlen, &mock, err, sizeof(err));
        sx_free(mtext);
        if (prc != SX_OK || mock_resource_init(&r, mock, smname, args.tc, err, sizeof(err)) !=
                                SX_OK) {
            fprintf(stderr, "stepx run: %s\n", err);
            goto out;
        }
        ex_engine_add_resource(&eng, &r);
    }
    ex_engine_add_test_resource(&eng);
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = type;
    o.sm_name = smname;
    o.exec_name = args.name;
    o.sync = type == ASL_TYPE_EXPRESS;
    log_config_t lc;
    log_config_init(&lc);
    if (args.log_level != NULL &&
        log_level_parse(args.log_level, strlen(args.log_level), &lc.level) != SX_OK) {
        fprintf(stderr, "stepx run: --log-level wants ALL, ERROR, FATAL or OFF\n");
        goto out;
    }
    lc.include_data = true;
    o.history = args.history != 0 || lc.level != LOG_LEVEL_OFF;
    ex_exec_t *ex = ex_exec_new(&eng, m, &o);
    ex_exec_start(ex, input);
    sch_run(sch);
    if (ex_exec_status(ex) == EX_RUNNING)
        ex_exec_stop(ex);
    print_result(ex);
    if (lc.level != LOG_LEVEL_OFF) {
        log_exec_t x = {ex_exec_arn(ex), smname, ex_exec_start_ms(ex)};
        log_exec_fprint(stderr, &lc, &x, ex_exec_history(ex), 0);
    }
    if (args.history) {
        sx_sbuf_t b = SX_SBUF_INIT;
        val_json_print(&b, ex_exec_history(ex));
        sx_sbuf_addc(&b, '\n');
        fwrite(b.p, 1, b.len, stderr);
        sx_sbuf_fini(&b);
    }
    ex_exec_free(ex);
    rc = 0;
out:
    sx_free(text);
    sx_free(why);
    sx_free(smname);
    asl_machine_unref(m);
    mock_cfg_free(mock);
    sch_free(sch);
    sx_arena_free(in_arena);
    return rc;
}

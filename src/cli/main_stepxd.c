/*
 * main_stepxd.c: the stepxd server's entry point.
 *
 *   stepxd [--config FILE] [--key value]...     run (SIGTERM/SIGINT drain and stop)
 *   stepxd --help                               every key with its default
 *   stepxd --check [--config FILE] ...          load config and machines, print them, exit
 *
 * Configuration is four directive tables (cfg.h) loaded in one pass: the server's own keys
 * (wk_conf_directives), the Redis streams layer (rs_conf_directives), Task integrations
 * (tk_conf_directives) and execution logging (log_conf_directives). Every key is also a
 * --flag; flags win over the file. Exit status: 0 drained, 1 work left pending at shutdown
 * (--check: some definitions were rejected), 2 fatal (bad configuration, a consumer refused
 * to run).
 */
#include <stdio.h>
#include <string.h>

#include "stepx/log.h"
#include "stepx/stream.h"
#include "stepx/task.h"
#include "stepx/worker.h"

static bool
has_flag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return true;
    return false;
}

/* argv without the flags cfg does not know (--help, --check). */
static int
strip_flags(int argc, char **argv, char **out)
{
    int n = 0;
    for (int i = 0; i < argc; i++)
        if (i == 0 || (strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "--check") != 0))
            out[n++] = argv[i];
    return n;
}

/* Prints the machines loaded (the stepx_machine* metrics). Returns 0, or 1 when some
 * definitions were rejected (their reasons are in the log). */
static int
check_print(wk_server_t *s)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    int code = 0;
    wk_metrics_render(s, &b);
    for (char *line = strtok(b.p, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "stepx_machine", 13) != 0)
            continue;
        printf("%s\n", line);
        if (strncmp(line, "stepx_machine_load_errors ", 26) == 0 && strcmp(line + 26, "0") != 0)
            code = 1;
    }
    sx_sbuf_fini(&b);
    return code;
}

int
main(int argc, char **argv)
{
    wk_conf_t wc;
    rs_conf_t rc;
    tk_config_t tc;
    log_conf_t lc;
    cfg_section_t secs[] = {{wk_conf_directives, &wc},
                            {rs_conf_directives, &rc},
                            {tk_conf_directives, &tc},
                            {log_conf_directives, &lc}};
    cfg_err_t cerr;
    char err[512];
    char **args = sx_calloc((size_t)argc + 1, sizeof(*args));
    int code = 2, nargs = strip_flags(argc, argv, args);
    memset(&wc, 0, sizeof(wc));
    memset(&rc, 0, sizeof(rc));
    memset(&tc, 0, sizeof(tc));
    memset(&lc, 0, sizeof(lc));
    if (has_flag(argc, argv, "--help")) {
        printf("usage: stepxd [--config FILE] [--check] [--key value]...\n\n");
        cfg_usage_print(secs, SX_ARRAY_LEN(secs), stdout);
        code = 0;
        goto out;
    }
    if (cfg_load(secs, SX_ARRAY_LEN(secs), nargs, args, &cerr) != SX_OK) {
        fprintf(stderr, "stepxd: %s\n", cerr.msg);
        goto out;
    }
    wk_log_setup(wc.log_level);
    if (has_flag(argc, argv, "--check"))
        wc.machines_registry = false, wc.metrics_port = 0;
    wk_server_t *s = wk_server_new(&wc, &rc, &tc, &lc, err, sizeof(err));
    if (s == NULL) {
        fprintf(stderr, "stepxd: %s\n", err);
        goto out;
    }
    if (has_flag(argc, argv, "--check")) {
        code = check_print(s);
    } else {
        code = wk_server_run(s);
    }
    wk_server_free(s);
out:
    cfg_sections_fini(secs, SX_ARRAY_LEN(secs));
    sx_free(args);
    return code;
}

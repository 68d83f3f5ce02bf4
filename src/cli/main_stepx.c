/*
 * main_stepx.c: the `stepx` command line tool: one subcommand per cli_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
} cmd_t;

static const cmd_t cmds[] = {
    {"validate", cli_validate, "validate DEF.json                 check a definition"},
    {"run", cli_run, "run DEF.json [--input F] [...]    run one execution"},
    {"bench", cli_bench, "bench DEF.json --input F -n N -c C  in-process benchmark"},
    {"jsonata", cli_jsonata, "jsonata [--input F] [...] EXPR    evaluate a JSONata expression"},
    {"usage", cli_usage, "usage [--tenant T] [--since D] [...] metered usage and cost from Redis"},
    {"cost", cli_cost, "cost DEF.json --rate N/s --duration-ms D  Express vs Standard month"},
    {NULL, NULL, NULL},
};

static int
usage(FILE *f)
{
    fprintf(f, "usage: stepx <command> [args]\n\ncommands:\n");
    for (const cmd_t *c = cmds; c->name; c++)
        fprintf(f, "  %s\n", c->usage);
    return f == stderr ? 2 : 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    for (const cmd_t *c = cmds; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "stepx: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}

/*
 * cli.h: the `stepx` subcommands. main_stepx.c dispatches argv[1] to one of these; each lives
 * in its own cli_<name>.c. They take argc/argv without the program name (argv[0] is the
 * subcommand) and return the process exit code.
 */
#ifndef SX_CLI_H
#define SX_CLI_H

#include "stepx/val.h"

int cli_validate(int argc, char **argv); /* stepx validate DEF.json */
int cli_run(int argc, char **argv);      /* stepx run DEF.json [...] */
int cli_bench(int argc, char **argv);    /* stepx bench DEF.json --input F -n N -c C */
int cli_jsonata(int argc, char **argv);  /* stepx jsonata [...] EXPR */
int cli_usage(int argc, char **argv);    /* stepx usage [--tenant T] [--since D] [...] */
int cli_cost(int argc, char **argv);     /* stepx cost DEF.json --rate N/s --duration-ms D */

/* Reads and parses the JSON file at path into arena a (NULL path: an empty object). On error
 * prints "stepx CMD: ..." with the line and column to stderr and returns SX_ERR. */
int cli_load_json(const char *cmd, const char *path, sx_arena_t *a, const val_t **out);

#endif

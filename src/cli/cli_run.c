/* PLACEHOLDER: replaced by the owner of `stepx run`; delete this comment with it. */
#include <stdio.h>

#include "cli/cli.h"

int
cli_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stepx run: not built yet\n");
    return 2;
}

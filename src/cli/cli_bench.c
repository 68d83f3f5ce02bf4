/* PLACEHOLDER: replaced by the owner of `stepx bench`; delete this comment with it. */
#include <stdio.h>

#include "cli/cli.h"

int
cli_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stepx bench: not built yet\n");
    return 2;
}

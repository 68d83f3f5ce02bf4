/* PLACEHOLDER: replaced by the owner of `stepx jsonata`; delete this comment with it. */
#include <stdio.h>

#include "cli/cli.h"

int
cli_jsonata(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stepx jsonata: not built yet\n");
    return 2;
}

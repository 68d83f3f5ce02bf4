/* PLACEHOLDER: replaced by the owner of `stepx validate`; delete this comment with it. */
#include <stdio.h>

#include "cli/cli.h"

int
cli_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stepx validate: not built yet\n");
    return 2;
}

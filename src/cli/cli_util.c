/*
 * cli_util.c: what several subcommands share.
 */
#include <stdio.h>

#include "cli/cli.h"

int
cli_load_json(const char *cmd, const char *path, sx_arena_t *a, const val_t **out)
{
    char *text = NULL;
    size_t len = 0;
    val_json_err_t je;
    if (path == NULL) {
        *out = val_obj_empty();
        return SX_OK;
    }
    if (sx_read_file(path, &text, &len) != SX_OK) {
        fprintf(stderr, "stepx %s: cannot read '%s'\n", cmd, path);
        return SX_ERR;
    }
    int rc = val_json_parse(a, text, len, out, &je);
    if (rc != SX_OK)
        fprintf(stderr, "stepx %s: invalid JSON in '%s': %s\n", cmd, path, je.msg);
    sx_free(text);
    return rc;
}

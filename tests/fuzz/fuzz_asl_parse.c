/*
 * fuzz_asl_parse.c: libFuzzer target for definition parsing + validation.
 *
 * Feeds arbitrary bytes to asl_validate_text (as STANDARD and as EXPRESS) and formats every
 * diagnostic, so the JSON parser, the validator walk, the path / template / intrinsic /
 * JSONata compilers it calls and the formatting all see hostile input. Diagnostics are
 * expected; crashes, leaks and sanitizer reports are not. Seeds: the AWS conformance
 * definitions and tests/cli/validate cases (see tests/fuzz/corpus/asl_parse/).
 *
 * Build: cmake -S . -B build-fuzz -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/bin/fuzz_asl_parse -max_total_time=60 -dict=tests/fuzz/fuzz_asl_parse.dict \
 *        WORKDIR tests/fuzz/corpus/asl_parse
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stepx/asl_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int t = 0; t < 2; t++) {
        sx_arena_t *a = sx_arena_new(0);
        asl_diags_t d;
        const val_t *def;
        asl_diags_init(&d, a);
        int rc = asl_validate_text(a, (const char *)data, size,
                                   t ? ASL_TYPE_EXPRESS : ASL_TYPE_STANDARD, &def, &d);
        if ((rc == SX_OK) != (d.len == 0))
            __builtin_trap();
        for (size_t i = 0; i < d.len; i++)
            if (asl_diag_format(a, &d.v[i]) == NULL || d.v[i].message == NULL)
                __builtin_trap();
        (void)asl_diags_format(a, &d);
        sx_arena_free(a);
    }
    return 0;
}

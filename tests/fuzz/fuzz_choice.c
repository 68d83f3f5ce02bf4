/*
 * fuzz_choice.c: libFuzzer target for the Choice rule compiler and evaluator
 * (src/asl/asl_choice*.c).
 *
 * Input: one JSON text [rule, input] (anything else is ignored). The rule is compiled as a
 * JSONPath top-level rule; if it compiles it is evaluated on input with $var lookups that
 * find nothing. Checks: no crash, a compile failure always has a message, an evaluation
 * error is always States.Runtime with a cause.
 * Build: cmake -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang; run: fuzz_choice tests/fuzz/corpus/choice
 */
#include <stdint.h>
#include <stdlib.h>

#include "stepx/asl_choice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const val_t *
no_var(void *ud, const char *name, size_t len)
{
    (void)ud, (void)name, (void)len;
    return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *doc = NULL;
    const asl_choice_t *rule = NULL;
    char err[256], where[256];

    if (val_json_parse(a, (const char *)data, size, &doc, NULL) != SX_OK || !val_is(doc, VAL_ARR) ||
        val_len(doc) != 2)
        goto out;
    if (asl_choice_compile(a, val_arr_at(doc, 0), 0, &rule, err, sizeof err, where, sizeof where) !=
        SX_OK) {
        if (err[0] == '\0')
            abort();
        goto out;
    }
    jp_env_t env = {.input = val_arr_at(doc, 1), .context = val_obj_empty(), .var = no_var};
    sx_err_t e = {0};
    bool m = false;
    int rc = asl_choice_eval(rule, &env, a, &m, &e);
    if (rc != SX_OK && (rc != SX_ERR || e.name != ASL_E_RUNTIME || e.cause == NULL))
        abort();
out:
    sx_arena_free(a);
    return 0;
}

/*
 * ex_size.c: the payload limit (States.DataLimitExceeded, asl.md §9) at a cost near zero.
 *
 * Every flow carries an UPPER BOUND of the compact JSON size of the values it moves: its
 * state input (in_sz), effective input (eff_sz) and output (out_sz), and a task's or
 * children's result. Bounds follow the pipeline by arithmetic, never by printing:
 *
 *   InputPath/OutputPath  a definite $-path selects a subtree: <= its source; "$" = source;
 *                         null = 2 ({}); other paths: the result's quick bound
 *   templates, JSONata    the result's quick bound (below)
 *   ResultPath            raw input + result + 8 bytes per path character (keys and the
 *                         objects it may create); null = raw input; "$" = result
 *   Map / Parallel        2 + sum over children of (output + 1)
 *   next state's input    = previous state's output
 *
 * The quick bound of a value walks at most EX_SZ_BUDGET nodes and never scans a string (a
 * string counts 2 + 6 bytes per byte, the worst escape); a bigger value is "unknown"
 * (EX_SZ_UNKNOWN). Only when a bound passes EX_PAYLOAD_MAX is the exact size
 * computed (ex_sz_exact, which stops counting once past the limit, so a value that shares a
 * huge subtree many times costs at most ~limit steps) and the bound replaced by it.
 *
 * Checks (EX_PAYLOAD_MAX bytes, AWS's cause "The state/task '<X>' returned a result with a
 * size exceeding the maximum number of bytes service limit."):
 *   execution input       ex_exec_start (X = "input"; fails before the first state)
 *   state input           after the Entered event (a Map iteration / Parallel branch input)
 *   task input            after Parameters/Arguments, before TaskScheduled
 *   task result           catchable; reported as TaskFailed (X = service or function ARN)
 *   Map/Parallel result   the collected array, before ResultSelector
 *   state output          before the Exited event (also the execution's output)
 * Except task results these are terminal (no Retry/Catch), as a Pass overflow is recorded.
 */
#include <string.h>

#include "exec/ex_int.h"

#define EX_SZ_BUDGET 64

/* Upper bound of v's size; decrements *budget per container or scalar visited (keys are
 * free) and stops descending once it is negative (the caller then says "unknown"). No
 * saturation needed: at most EX_SZ_BUDGET nodes of at most 2 + 6 * 2^32 bytes each. */
static size_t
quick(const val_t *v, int *budget)
{
    size_t acc;
    const char *r;
    if (--*budget < 0)
        return 0;
    switch (val_type(v)) {
    case VAL_STR:
        return 2 + 6 * (size_t)val_len(v);
    case VAL_NUM:
        /* raw text as parsed, else JS Number#toString: at most 25 characters */
        if ((r = v->u.num.raw) == NULL)
            return 25;
        for (acc = 0; r[acc] != '\0'; acc++)
            ;
        return acc;
    case VAL_ARR:
        acc = 2 + val_len(v);
        for (size_t i = 0; i < val_len(v) && *budget >= 0; i++)
            acc += quick(val_arr_at(v, i), budget);
        return acc;
    case VAL_OBJ:
        acc = 2 + 2 * (size_t)val_len(v);
        for (size_t i = 0; i < val_len(v) && *budget >= 0; i++) {
            const val_member_t *m = val_obj_at(v, i);
            acc += 2 + 6 * (size_t)val_len(m->key) + quick(m->val, budget);
        }
        return acc;
    default:
        return 5; /* null, true, false; a function value prints as "" */
    }
}

size_t
ex_sz_quick(const val_t *v)
{
    int budget = EX_SZ_BUDGET;
    if (v == NULL)
        return 4;
    size_t n = quick(v, &budget);
    return budget < 0 ? EX_SZ_UNKNOWN : n;
}

static size_t
exact(const val_t *v, size_t acc, size_t limit)
{
    switch (val_type(v)) {
    case VAL_ARR:
        acc += 2 + (val_len(v) ? val_len(v) - 1 : 0);
        for (size_t i = 0; i < val_len(v) && acc <= limit; i++)
            acc = exact(val_arr_at(v, i), acc, limit);
        return acc;
    case VAL_OBJ:
        acc += 2 + (val_len(v) ? 2 * (size_t)val_len(v) - 1 : 0);
        for (size_t i = 0; i < val_len(v) && acc <= limit; i++) {
            const val_member_t *m = val_obj_at(v, i);
            acc = exact(m->key, acc, limit);
            if (acc <= limit)
                acc = exact(m->val, acc, limit);
        }
        return acc;
    default:
        return acc + val_json_len(v);
    }
}

size_t
ex_sz_exact(const val_t *v, size_t limit)
{
    return v == NULL ? 0 : exact(v, 0, limit);
}

bool
ex_payload_too_big(const val_t *v, size_t limit)
{
    return ex_sz_exact(v, limit) > limit;
}

size_t
ex_sz_path_slow(const jp_prog_t *p, const val_t *out, size_t src)
{
    if (jp_is_root(p))
        return src;
    if (jp_root_kind(p) == JP_ROOT_INPUT && jp_is_definite(p))
        return src;
    return ex_sz_quick(out);
}

size_t
ex_sz_result_path(const jp_prog_t *p, uint32_t plen, bool isnull, size_t raw, size_t res)
{
    if (isnull)
        return raw;
    if (p == NULL)
        return res;
    return ex_sz_add(ex_sz_add(raw, res), 8 * (size_t)plen + 8);
}

int
ex_data_limit(ex_flow_t *f, const char *who, bool terminal)
{
    const char *cause = sx_arena_printf(f->ex->a, NULL,
                                        "The state/task '%s' returned a result with a size "
                                        "exceeding the maximum number of bytes service limit.",
                                        who);
    return ex_fail_plain(f, ASL_E_DATA_LIMIT, cause, terminal);
}

int
ex_sz_measure_or_fail(ex_flow_t *f, const val_t *v, size_t *bound, const char *who, bool terminal)
{
    size_t n = ex_sz_exact(v, EX_PAYLOAD_MAX);
    if (n > EX_PAYLOAD_MAX)
        return ex_data_limit(f, who, terminal);
    *bound = n;
    return SX_OK;
}

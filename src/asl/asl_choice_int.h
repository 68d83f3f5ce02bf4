/*
 * asl_choice_int.h: what asl_choice.c (compile) and asl_choice_eval.c (evaluate) share: the
 * operand kinds and comparisons stored in a compiled TEST node, and the glob layout.
 *
 * A StringMatches pattern is split at its unescaped stars into parts, escapes decoded:
 *
 *   "log-*.txt"  ->  ["log-", ".txt"]        nparts = stars + 1
 *   "*a\*b*"     ->  ["", "a*b", ""]
 *
 * parts[0] must be a prefix, parts[nparts-1] a suffix, the middle parts appear in order in
 * between (leftmost-first search is exact for `*`-only globs). No star: plain equality.
 */
#ifndef STEPX_ASL_CHOICE_INT_H
#define STEPX_ASL_CHOICE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "stepx/asl_choice.h"

/* asl_choice_t._kind: the operand type a TEST compares. */
enum {
    CH_KIND_STR = 0, /* String* (not StringMatches) */
    CH_KIND_MATCH,   /* StringMatches */
    CH_KIND_NUM,     /* Numeric* */
    CH_KIND_BOOL,    /* BooleanEquals(Path) */
    CH_KIND_TS,      /* Timestamp* */
    CH_KIND_IS       /* Is*: _cmp is a CH_IS_* */
};

/* asl_choice_t._cmp for the comparing kinds. */
enum { CH_EQ = 0, CH_LT, CH_GT, CH_LE, CH_GE };

/* asl_choice_t._cmp for CH_KIND_IS. */
enum { CH_IS_NULL = 0, CH_IS_PRESENT, CH_IS_NUMERIC, CH_IS_STRING, CH_IS_BOOLEAN, CH_IS_TIMESTAMP };

typedef struct ch_glob_part {
    const char *s; /* decoded literal bytes (arena) */
    size_t n;      /* length */
} ch_glob_part_t;

struct asl_choice_glob {
    uint32_t nparts;             /* unescaped stars + 1 */
    const ch_glob_part_t *parts; /* nparts literals */
};

#endif

/*
 * asl_choice.h: compile and evaluate the rules of a Choice state (ASL spec §6, asl.md).
 *
 * One call compiles one element of a Choice state's `Choices` array (a top-level rule) into an
 * immutable tree owned by an arena (the compiled machine's), shareable by every thread:
 *
 *   top-level rule  { Next, Assign?, Comment?, <condition> }          JSONPath mode
 *                   { Next, Assign?, Output?, Comment?, Condition }   JSONata mode
 *   condition       And: [rule, ...] | Or: [rule, ...] | Not: rule
 *                   | Variable: path + exactly one comparison operator
 *
 * Comparison operators: String{Equals,LessThan,GreaterThan,LessThanEquals,GreaterThanEquals},
 * StringMatches, Numeric{...}, BooleanEquals, Timestamp{...}, each except StringMatches also
 * as `...Path` (the operand is a Path evaluated like Variable), and IsNull, IsPresent,
 * IsNumeric, IsString, IsBoolean, IsTimestamp (operand true/false).
 *
 * Evaluation semantics (as AWS recorded them, conformance feature "choiceoperators"):
 * - a type mismatch is simply false, never an error, never a coercion: a numeric string does
 *   not match Numeric*, booleans are not numbers, null is only IsNull; Timestamp* needs two
 *   valid timestamps (an invalid string is false); timestamp strings also match String*;
 * - numbers compare as IEEE doubles (1 == 1.0); strings by UTF-16 code units (Java
 *   compareTo), equality by bytes; timestamps as instants (timestamp.h);
 * - IsPresent is true iff the path matches (for an indefinite path: matches at least one
 *   node); every other operator on a Variable (or `...Path` operand) that matches nothing
 *   fails with States.Runtime
 *   "Invalid path '<path>': The choice state's condition path references an invalid value.";
 * - StringMatches: `*` matches any run of characters (also none), `\*` a literal `*`, `\\` a
 *   literal `\` (any other escaped character stands for itself), anchored at both ends.
 * Variable and `...Path` operands are full Paths (compiled with jp_compile flags 0, so `$`,
 * `$$` and `$var` roots, filters and wildcards are accepted; an indefinite path yields an
 * array, which only IsPresent and the Is* tests can match).
 *
 * Performance: constants (numbers, strings, timestamps, patterns) are decoded at compile
 * time; evaluation allocates nothing on the matching path (only an error cause is built in
 * the arena) and only parses a timestamp value it reads from the input.
 */
#ifndef STEPX_ASL_CHOICE_H
#define STEPX_ASL_CHOICE_H

#include <stdbool.h>
#include <stdint.h>

#include "stepx/err.h"
#include "stepx/path.h"
#include "stepx/timestamp.h"
#include "stepx/val.h"

/* Compile flags. */
enum {
    ASL_CHOICE_F_JSONATA = 1 << 0 /* JSONata-mode rule: Condition instead of a JSONPath test */
};

/* What a compiled node does. */
typedef enum asl_choice_op {
    ASL_CHOICE_AND = 0,  /* all kids (short-circuit) */
    ASL_CHOICE_OR,       /* any kid (short-circuit) */
    ASL_CHOICE_NOT,      /* negation of the single kid */
    ASL_CHOICE_TEST,     /* Variable + one comparison operator */
    ASL_CHOICE_CONDITION /* JSONata Condition: evaluated by the engine, not here */
} asl_choice_op_t;

typedef struct asl_choice_glob asl_choice_glob_t; /* a compiled StringMatches pattern */
typedef struct asl_choice asl_choice_t;

struct asl_choice {
    /* Public, set on the top-level rule only (NULL in nested rules). They point into the
     * rule's val_t, so the rule value must live as long as the compiled tree. */
    const char *next;       /* Next: the target state name (the engine resolves it) */
    const val_t *assign;    /* Assign as written (the engine compiles it), or NULL */
    const val_t *output;    /* Output as written (JSONata rules only), or NULL */
    const val_t *condition; /* Condition as written (JSONata rules only), or NULL */

    /* Private. */
    uint8_t _op;                      /* asl_choice_op_t */
    uint8_t _kind;                    /* TEST: operand kind (asl_choice.c) */
    uint8_t _cmp;                     /* TEST: EQ/LT/GT/LE/GE, or the Is* type */
    uint8_t _want;                    /* TEST Is*: the expected boolean */
    uint8_t _indef;                   /* TEST: Variable is an indefinite path (yields arrays) */
    uint32_t _nkids;                  /* AND/OR: number of kids; NOT: 1 */
    const asl_choice_t *const *_kids; /* AND/OR/NOT: the sub-rules */
    const jp_prog_t *_var;            /* TEST: the Variable path */
    const jp_prog_t *_rhs;            /* TEST: the `...Path` operand, or NULL for a constant */
    const char *_opname;              /* TEST: the operator's field name (static) */
    union {
        double num;                    /* Numeric* constant */
        bool b;                        /* BooleanEquals constant */
        sx_ts_t ts;                    /* Timestamp* constant */
        const asl_choice_glob_t *glob; /* StringMatches pattern */
        struct {
            const char *s; /* String* constant (points into the rule value) */
            size_t n;      /* its length in bytes */
        } str;
    } _lit;
};

/* Compiles one top-level Choice rule `rule` (an element of `Choices`) into arena a.
 * flags: 0 for a JSONPath rule, ASL_CHOICE_F_JSONATA for a JSONata rule (Condition is kept
 * as written in ->condition; the engine compiles and evaluates it).
 * Borrows rule; the result lives in a and points into rule (see the struct).
 * Returns SX_OK and *out, or SX_ERR with an AWS-style SCHEMA_VALIDATION_FAILED detail in err
 * (e.g. "The field 'Next' is required but was missing") and the JSON pointer of the
 * offending node relative to the rule in where ("" = the rule itself, "/And/1/Variable").
 * err/where may be NULL (with length 0). */
int asl_choice_compile(sx_arena_t *a, const val_t *rule, unsigned flags, const asl_choice_t **out,
                       char *err, size_t errlen, char *where, size_t wherelen);

/* Evaluates a JSONPath rule (top-level or nested) against env ($ is the Choice state's
 * effective input, plus $$ and $var). Result in *matched. Returns SX_OK, or SX_ERR with err
 * set (States.Runtime, cause detail only: the engine adds the "An error occurred while
 * executing the state ..." prefix) when a path matched nothing, or SX_DECLINED for a JSONata
 * rule (its Condition belongs to the engine). Allocates in a only for an error cause. */
int asl_choice_eval(const asl_choice_t *rule, const jp_env_t *env, sx_arena_t *a, bool *matched,
                    sx_err_t *err);

/* Evaluates rules[0..n) in order and stores the index of the first that matches in *index,
 * or -1 when none does (the engine then takes Default or fails with States.NoChoiceMatched).
 * Errors as asl_choice_eval; the first error stops the scan. */
int asl_choice_select(const asl_choice_t *const *rules, size_t n, const jp_env_t *env,
                      sx_arena_t *a, int *index, sx_err_t *err);

/* Returns true when the n-byte string s matches the compiled StringMatches pattern g. */
bool asl_choice_glob_match(const asl_choice_glob_t *g, const char *s, size_t n);

/* Compiles a StringMatches pattern (as decoded from JSON) into arena a. Returns NULL when the
 * pattern ends in a lone backslash. */
const asl_choice_glob_t *asl_choice_glob_compile(sx_arena_t *a, const char *pat, size_t n);

#endif

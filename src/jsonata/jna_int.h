/*
 * jna_int.h: what the JSONata lexer, parser and evaluator files share (not the library).
 *
 * The design follows jsonata-js closely, because its observable behaviour (sequence
 * flattening, singleton unwrapping, error codes, even how deep evaluate() nests) is the
 * specification:
 *
 *   jna_lex.c    tokenizer, called on demand by the parser (regex vs divide by position)
 *   jna_parse.c  Pratt parser producing "raw" nodes (binary '.', '[', '{' ...)
 *   jna_ast.c    post-parse rewrite: paths with steps and stages, predicates, groups, sort
 *                steps, focus/index bindings, parent (%) resolution, tail-call thunks
 *   jna_sig.c    function signatures: parser + backtracking validator (T0410/T0411/T0412)
 *   jna_err.c    error codes -> message templates
 *   jna_eval.c   evaluate(): paths, steps, tuple streams, filters, names, wildcards
 *   jna_ops.c    operators, constructors, grouping, order-by, transform
 *   jna_call.c   environments, function values, apply + trampoline, partial application,
 *                public jna_compile / jna_eval / jna_src
 *   jna_regex.c  JS regex -> PCRE2 translation, the matcher protocol
 *   jna_hof.c    jna_lib_hof[]: $map $filter $single $reduce $each $sift $sort $match
 *                $replace $split $contains $eval $clone
 *
 * One node type serves both the raw parse tree and the processed AST; the processed AST is
 * immutable after jna_compile() and lives in the compile arena. Evaluation allocates only in
 * the caller's arena. Sequences are val_t arrays flagged VAL_F_SEQ (+KEEP/CONS/OUTER/TUPLE);
 * internal input sequences may hold NULL (undefined) items, never visible in results.
 * Tuple streams are arrays (VAL_F_SEQ|VAL_F_TUPLE) of tuple values: VAL_FUNC values whose
 * aux is &jna_k_tuple and fn a jna_tuple_t (the '@' context + variable bindings).
 */
#ifndef SX_JNA_INT_H
#define SX_JNA_INT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "jna_lib.h"
#include "stepx/jsonata.h"

/* ---- nodes ---- */
typedef enum jna_ntype {
    JN_END = 1, /* "(end)" token used as an operand: S0207 */
    JN_OPERATOR, /* raw operator token in operand position ('?' placeholder, and/or/in) */
    JN_NAME,
    JN_VARIABLE,
    JN_STRING,
    JN_NUMBER,
    JN_VALUE, /* true / false / null */
    JN_REGEX,
    JN_BINARY,
    JN_UNARY, /* op "-", "[" (array constructor), "{" (object constructor) */
    JN_WILDCARD,
    JN_DESCENDANT,
    JN_PARENT,
    JN_FUNCTION,
    JN_PARTIAL,
    JN_LAMBDA,
    JN_BLOCK,
    JN_CONDITION,
    JN_TRANSFORM,
    JN_PATH,
    JN_BIND,
    JN_APPLY,
    JN_SORT
} jna_ntype_t;

typedef struct jna_node jna_node_t;
typedef struct jna_sig jna_sig_t;
typedef struct jna_regex jna_regex_t;

typedef struct jna_nvec {
    jna_node_t **v; /* arena */
    int n, cap;
} jna_nvec_t;

typedef struct jna_slot {
    const char *label; /* "!0", "!1"...: tuple key holding the parent */
    int level;         /* levels still to climb while resolving */
    int index;         /* position of its parent node in the ancestry list */
} jna_slot_t;

typedef struct jna_slotvec {
    jna_slot_t **v;
    int n, cap;
} jna_slotvec_t;

enum { JNA_STAGE_FILTER = 1, JNA_STAGE_INDEX = 2 };
typedef struct jna_stage {
    int type;           /* JNA_STAGE_* */
    jna_node_t *expr;   /* filter predicate */
    const char *name;   /* index variable name */
    int position;
} jna_stage_t;

typedef struct jna_stagevec {
    jna_stage_t *v;
    int n, cap;
} jna_stagevec_t;

typedef struct jna_term {
    bool descending;
    jna_node_t *expr;
} jna_term_t;

typedef struct jna_group {
    jna_nvec_t pairs; /* key0, val0, key1, val1, ... */
    int position;
} jna_group_t;

struct jna_node {
    uint8_t type;         /* jna_ntype_t */
    char op[4];           /* operator text for binary/unary/operator nodes */
    char id[12];          /* parser symbol id: operator text, "(name)", "(literal)"... */
    bool keep_array;      /* '[]' seen on this step */
    bool keep_singleton;  /* path: some step had keepArray */
    bool cons_array;      /* array constructor as first/last path step */
    bool tuple;           /* step/path evaluated in tuple mode */
    bool thunk;           /* lambda wrapping a tail call */
    bool has_else;        /* condition has an else branch */
    int position;         /* offset after the token */
    const char *str;      /* name, variable name, string literal, signature text */
    uint32_t slen;        /* bytes in str */
    const val_t *lit;     /* literal value (string/number/value nodes) */
    jna_node_t *lhs, *rhs;   /* binary, bind, apply; transform pattern/update */
    jna_node_t *expr;        /* unary '-' operand; transform delete */
    jna_node_t *cond, *then, *els;
    jna_node_t *procedure;   /* function / partial */
    jna_node_t *body;        /* lambda */
    jna_nvec_t items;        /* path steps, block/array expressions, call arguments,
                                lambda parameters */
    jna_nvec_t pairs;        /* object constructor: key, value, key, value... */
    jna_group_t *group;      /* group-by */
    jna_stagevec_t stages;   /* path step stages */
    jna_stagevec_t predicate;/* predicates of a non-step node */
    jna_term_t *terms;       /* sort terms */
    int nterms;
    const char *focus;       /* '@' variable */
    const char *index;       /* '#' variable */
    jna_slot_t *ancestor;    /* this step records its input under ancestor->label */
    jna_slot_t *slot;        /* parent node: its slot */
    jna_slotvec_t seeking;   /* unresolved parent slots below this node */
    bool seeking_set;        /* seeking defined (even if empty) */
    jna_sig_t *sig;          /* lambda signature */
    jna_regex_t *re;         /* regex literal */
};

/* ---- errors (jna_err.c) ---- */
/* Records code with the reference's message; token/value may be NULL; value2 for T2007/9.
 * Returns SX_ERR. */
int jna_fail(sx_arena_t *a, jna_error_t *err, const char *code, int position, const char *token,
             const val_t *value, const val_t *value2);
int jna_fail_idx(sx_arena_t *a, jna_error_t *err, const char *code, int position,
                 const char *token, const val_t *value, int index, const char *type);
/* Sets err's token when it has none (a call site naming the function an error left), and
 * renders the message again if its template shows the token. */
void jna_err_fill_token(sx_arena_t *a, jna_error_t *err, const char *token);
/* JSON-ish text of v for messages. */
const char *jna_err_valtext(sx_arena_t *a, const val_t *v);

/* ---- lexer (jna_lex.c) ---- */
enum { JT_END = 0, JT_NAME, JT_VAR, JT_STR, JT_NUM, JT_VALUE, JT_REGEX, JT_OP };
typedef struct jna_tok {
    int type;           /* JT_* */
    char op[4];         /* operator text */
    const char *s;      /* name / variable / string value (arena) */
    uint32_t n;         /* bytes in s */
    double num;         /* number */
    const val_t *lit;   /* JT_VALUE: true/false/null */
    const char *re;     /* regex pattern (arena) */
    uint32_t relen;
    const char *reflags;/* "i", "m", "im", ... */
    int position;       /* offset after the token */
} jna_tok_t;

typedef struct jna_lex {
    const char *src;
    size_t len;
    size_t pos;
    sx_arena_t *a;
    jna_error_t *err;
} jna_lex_t;

/* Reads the next token. infix: '/' is a division operator when true, a regex literal
 * otherwise. Positions are byte offsets after the token. Returns SX_OK (JT_END at the end) or SX_ERR. */
int jna_lex_next(jna_lex_t *lx, bool infix, jna_tok_t *t);

/* ---- parser and AST (jna_parse.c, jna_ast.c) ---- */
#define JNA_PARSE_MAX_DEPTH 400
void jna_nvec_push(sx_arena_t *a, jna_nvec_t *v, jna_node_t *n);
jna_node_t *jna_node_new(sx_arena_t *a, int type, int position);
/* Parses src into a raw tree; SX_ERR with err set. */
/* What a parse learnt beyond the AST. */
typedef struct jna_parse_info {
    int v21_pos;         /* offset after the first ?: or ?? (2.1+ syntax), -1 when none */
    const char *v21_tok; /* the token 2.0.6 fails on there: ":" or "?" */
} jna_parse_info_t;
/* info may be NULL. */
int jna_parse_raw(sx_arena_t *a, const char *src, size_t n, jna_node_t **out, jna_error_t *err,
                  jna_parse_info_t *info);
/* Rewrites a raw tree into the evaluated AST. */
int jna_ast_process(sx_arena_t *a, jna_node_t *raw, jna_node_t **out, jna_error_t *err);
/* Full compile of src to an AST (parse + process + top-level % check). */
int jna_parse(sx_arena_t *a, const char *src, size_t n, jna_node_t **out, jna_error_t *err,
              jna_parse_info_t *info);

/* ---- signatures (jna_sig.c) ---- */
/* Parses a signature string ("<s-n?:s>"). SX_ERR: S0401/S0402 with err->position set to the
 * offset inside the signature. */
int jna_sig_parse(sx_arena_t *a, const char *s, size_t n, jna_sig_t **out, jna_error_t *err);
/* Validates args against sig, substituting the context for '-' parameters and wrapping
 * non-arrays for a parameters. On success *out and *outc hold the validated arguments. */
int jna_sig_validate(const jna_sig_t *sig, sx_arena_t *a, const val_t *const *args, size_t argc,
                     const val_t *context, bool has_context, const val_t ***out, size_t *outc,
                     jna_error_t *err, const char *fname);
/* Number of parameters declared by the signature. */
int jna_sig_nparams(const jna_sig_t *sig);

/* ---- evaluator state ---- */
typedef struct jna_env jna_env_t;
typedef struct jna_bind {
    const char *name;
    uint32_t len;
    const val_t *v; /* NULL = bound to undefined */
} jna_bind_t;
struct jna_env {
    jna_env_t *parent;
    jna_bind_t *b; /* arena */
    uint32_t n, cap;
};

typedef struct jna_ev {
    sx_arena_t *a;
    jna_error_t *err;
    const jna_opts_t *opts;
    int depth;             /* current evaluate() nesting */
    int max_depth;         /* U1001 beyond */
    uint64_t deadline_ns;  /* 0 = none */
    size_t mem_base;       /* arena bytes reserved when the evaluation began */
    size_t mem_limit;      /* U1002 when it has reserved more than this since (0 = none) */
    unsigned tick;         /* clock sampling counter */
    int64_t now_ms;        /* $now / $millis */
    jna_env_t *root;       /* execution frame: '$' bound to the input */
    void *gctx;            /* pcre2 general context allocating in the arena (lazy) */
} jna_ev_t;

/* Function values. */
extern const char jna_k_builtin[]; /* aux tag: fn is a const jna_builtin_t * */
extern const char jna_k_closure[]; /* aux tag: fn is a jna_fn_t * */
extern const char jna_k_tuple[];   /* aux tag: fn is a jna_tuple_t * */

enum { JF_LAMBDA = 1, JF_PARTIAL_NATIVE, JF_REGEX, JF_MATCH_NEXT, JF_TRANSFORM, JF_COMPOSE };
typedef struct jna_fn {
    int kind;
    /* lambda */
    const jna_node_t *const *params; /* parameter variable nodes */
    int nparams;
    const val_t *input;   /* captured context */
    jna_env_t *env;       /* captured frame */
    const jna_node_t *body;
    const jna_sig_t *sig;
    bool thunk;
    /* partial native */
    const jna_builtin_t *bi;
    const val_t **bound; /* bound arguments; holes are NULL with hole[i] set */
    bool *hole;
    int nbound;
    /* regex / next */
    const jna_node_t *renode;
    const char *str; /* subject for next() */
    size_t slen;
    size_t last;     /* byte offset where next() searches */
    /* transform */
    const jna_node_t *tnode;
    /* compose */
    const val_t *f, *g;
} jna_fn_t;

typedef struct jna_tuple {
    const val_t *at;   /* '@' */
    jna_bind_t *b;     /* bindings (arena) */
    uint32_t n, cap;
} jna_tuple_t;

static inline bool
jna_is_func(const val_t *v)
{
    return v != NULL && v->type == VAL_FUNC && v->u.func.aux != jna_k_tuple;
}
static inline bool
jna_is_seq(const val_t *v)
{
    return v != NULL && v->type == VAL_ARR && (v->flags & VAL_F_SEQ);
}
static inline bool
jna_is_tuples(const val_t *v)
{
    return v != NULL && v->type == VAL_ARR && (v->flags & VAL_F_TUPLE);
}
static inline jna_tuple_t *
jna_tuple_of(const val_t *v)
{
    return (jna_tuple_t *)(uintptr_t)v->u.func.fn;
}

/* jna_eval.c */
int jna_evaluate(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                 const val_t **out);
const val_t *jna_lookup_field(jna_ev_t *ev, const val_t *input, const char *key, size_t n);
bool jna_bool(const val_t *v);   /* $boolean, undefined -> false */
/* True when the $boolean cast of v meets a +-Infinity (jsonata-js's isNumeric throws D1001
 * on every number boolean() visits: v itself and the items of arrays, recursively). */
bool jna_bool_inf(const val_t *v);
/* $boolean of v into *out, or D1001 at position/token when v holds an infinity. Booleans,
 * strings, finite numbers and objects are decided inline; the rest in jna_truth_slow. */
int jna_truth_slow(jna_ev_t *ev, const val_t *v, int position, const char *token, bool *out);
static inline int
jna_truth(jna_ev_t *ev, const val_t *v, int position, const char *token, bool *out)
{
    if (v == NULL) {
        *out = false;
        return SX_OK;
    }
    switch (v->type) {
    case VAL_BOOL:
        *out = val_bool_get(v);
        return SX_OK;
    case VAL_STR:
    case VAL_OBJ:
        *out = v->len > 0;
        return SX_OK;
    case VAL_NUM:
        if (isinf(v->u.num.d))
            break;
        *out = v->u.num.d != 0 && !isnan(v->u.num.d);
        return SX_OK;
    default:
        break;
    }
    return jna_truth_slow(ev, v, position, token, out);
}
/* Returns a new header for arr with extra flags (items shared). */
const val_t *jna_arr_flag(sx_arena_t *a, const val_t *arr, unsigned set, unsigned clear);
const val_t *jna_seq1(sx_arena_t *a, const val_t *v); /* sequence of one (NULL allowed) */
/* fn.append as jsonata-js: concat, non-arrays as singletons, result a plain array. */
const val_t *jna_append(sx_arena_t *a, const val_t *x, const val_t *y);
jna_tuple_t *jna_tuple_new(sx_arena_t *a, const val_t *at, uint32_t cap);
void jna_tuple_set(sx_arena_t *a, jna_tuple_t *t, const char *name, size_t len, const val_t *v);
const val_t *jna_tuple_val(sx_arena_t *a, jna_tuple_t *t);
jna_env_t *jna_env_from_tuple(sx_arena_t *a, jna_env_t *parent, const jna_tuple_t *t);

/* jna_ops.c */
int jna_eval_binary(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                    const val_t **out);
int jna_eval_unary(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                   const val_t **out);
int jna_eval_group(jna_ev_t *ev, const jna_nvec_t *pairs, int position, const val_t *input,
                   jna_env_t *env, const val_t **out);
int jna_eval_sort(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                  const val_t **out);
int jna_transform_apply(jna_ev_t *ev, const jna_fn_t *f, const val_t *obj, const val_t **out);
/* $string of v as text (for '&'); SX_ERR on D3001 */
int jna_to_string(jna_ev_t *ev, const val_t *v, const char **s, size_t *n);
/* $clone of v: deep copy with $string number rounding (fresh containers). */
const val_t *jna_clone_json(sx_arena_t *a, const val_t *v, bool aws);

/* jna_call.c */
jna_env_t *jna_env_new(sx_arena_t *a, jna_env_t *parent);
void jna_env_bind(sx_arena_t *a, jna_env_t *env, const char *name, size_t len, const val_t *v);
/* Looks name up: frames, then bindings/lookup hook, then built-ins. found=false when
 * unbound everywhere. */
const val_t *jna_env_lookup(jna_ev_t *ev, jna_env_t *env, const char *name, size_t len,
                            bool *found);
int jna_eval_function(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                      const val_t *applyto, bool has_applyto, const val_t **out);
int jna_eval_partial(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                     const val_t **out);
const val_t *jna_make_lambda(jna_ev_t *ev, const jna_node_t *e, const val_t *input,
                             jna_env_t *env);
/* Applies a function value (with trampoline). input = call-site context. */
int jna_apply(jna_ev_t *ev, const val_t *proc, const val_t *const *args, size_t argc,
              const val_t *input, jna_env_t *env, const val_t **out);
int jna_fn_arity(const val_t *f);
const jna_builtin_t *jna_builtin_find(const char *name, size_t len, bool aws);
/* fctx for built-ins called by the evaluator. */
void jna_fctx_init(jna_ev_t *ev, jna_fctx_t *c, const val_t *input, int position, void *env);
jna_ev_t *jna_fctx_ev(jna_fctx_t *c);
jna_env_t *jna_fctx_env(jna_fctx_t *c);

/* jna_regex.c */
/* Compiles a JS regex literal (pattern + flags) into the compile arena. SX_ERR: err set. */
int jna_regex_compile(sx_arena_t *a, const char *pat, size_t n, const char *flags,
                      jna_regex_t **out, jna_error_t *err, int position);
/* Searches s from byte offset `from`. Returns 1 found (ovector of 2*(ngroups+1) byte
 * offsets, -1 unset), 0 none, SX_ERR on engine error. */
int jna_regex_exec(jna_ev_t *ev, const jna_regex_t *re, const char *s, size_t n, size_t from,
                   long *ov);
int jna_regex_ngroups(const jna_regex_t *re);
const char *jna_regex_source(const jna_regex_t *re);
/* Calls a matcher function value (regex or custom) on str: *out = matcher object or NULL. */
int jna_matcher_call(jna_ev_t *ev, const val_t *matcher, const val_t *str, const val_t **out);
/* The regex closure called with (str[, from]) and next(): build matcher objects. */
int jna_regex_call(jna_ev_t *ev, const jna_fn_t *f, const val_t *const *args, size_t argc,
                   const val_t **out);
int jna_regex_next(jna_ev_t *ev, const jna_fn_t *f, const val_t **out);
/* UTF-16 unit offset <-> byte offset in s. */
size_t jna_u16_of_byte(const char *s, size_t b);
size_t jna_byte_of_u16(const char *s, size_t n, double u16);

/* jna_hof.c, jna_rxfn.c */
extern const jna_builtin_t jna_lib_hof[];
#define JNA_RXF(name)                                                                          \
    int jna_rx_##name(jna_fctx_t *c, const val_t *const *argv, size_t argc, const val_t **out)
JNA_RXF(match);
JNA_RXF(contains);
JNA_RXF(split);
JNA_RXF(replace);
JNA_RXF(eval);
JNA_RXF(clone);
/* JS arity of a core built-in (the "ar" column), or -1 when unknown. */
int jna_builtin_arity(const jna_builtin_t *bi);

#endif

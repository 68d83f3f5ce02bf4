/*
 * asl_validate_int.h: internals shared by the asl_validate*.c files.
 *
 *   asl_validate.c         diagnostics list, formatting, text entry, machine walk (scopes,
 *                          state names, transitions, reachability, QueryLanguage)
 *   asl_validate_util.c    locations, typed field getters, path / template / intrinsic /
 *                          JSONata compile checks, Assign
 *   asl_validate_states.c  field tables per state type and query language; Task, Pass,
 *                          Wait, Succeed, Fail, Parallel; Retry and Catch
 *   asl_validate_map.c     Map (ItemProcessor/Iterator, ProcessorConfig, ItemReader,
 *                          ItemBatcher, ResultWriter, Label, tolerated failures)
 *   asl_validate_choice.c  Choice rules (JSONPath operators and JSONata Conditions)
 *
 * Locations are JSON pointers built in the scratch arena; the root is "" internally and
 * printed as "/". Every check appends diagnostics and goes on: nothing stops at the first.
 */
#ifndef ASL_VALIDATE_INT_H
#define ASL_VALIDATE_INT_H

#include <stdbool.h>

#include "stepx/asl_validate.h"

/* State types, as bits so field tables can hold sets of them. */
enum {
    VT_TASK = 1 << 0,
    VT_PARALLEL = 1 << 1,
    VT_MAP = 1 << 2,
    VT_PASS = 1 << 3,
    VT_WAIT = 1 << 4,
    VT_CHOICE = 1 << 5,
    VT_SUCCEED = 1 << 6,
    VT_FAIL = 1 << 7,
    VT_ALL = 0xff
};

/* A name -> int map (open addressing) in an arena: state names of a scope, and every state
 * name of the machine (duplicates). */
typedef struct vx_map {
    sx_arena_t *a;            /* storage (borrowed) */
    struct vx_ment *t;        /* cap slots; k == NULL = empty */
    size_t cap;               /* power of two, or 0 */
    size_t len;               /* used slots */
} vx_map_t;

/* Variables assigned in one scope, linked to the enclosing scopes (no shadowing allowed). */
typedef struct vx_vars {
    vx_map_t names;              /* variable names assigned by this scope's states */
    const struct vx_vars *outer; /* enclosing scope, NULL at the top level */
} vx_vars_t;

typedef struct vx {
    sx_arena_t *a;            /* scratch arena for locations and compiled programs */
    asl_diags_t *out;         /* where diagnostics go */
    asl_type_t type;          /* STANDARD or EXPRESS */
    bool top_jsonata;         /* machine-level QueryLanguage is JSONata */
    bool paths_ok;            /* the path module compiles "$" (not the placeholder) */
    vx_map_t names;           /* every state name seen so far, whole machine */
    const vx_vars_t *vars;    /* variables of the scope being walked and its outer ones */
} vx_t;

/* The state being checked. */
typedef struct vx_state {
    vx_t *vx;                 /* context */
    const val_t *s;           /* the state object */
    const char *name;         /* state name (NUL-terminated, from the definition) */
    const char *loc;          /* JSON pointer of the state, e.g. "/States/X" */
    unsigned type;            /* one VT_* bit */
    bool jsonata;             /* effective QueryLanguage is JSONata */
} vx_state_t;

/* ---- asl_validate.c ---- */
/* Checks one state machine object (top level, a Parallel branch or a Map item processor).
 * kind: 0 top level, 1 branch, 2 item processor. */
void vx_machine(vx_t *vx, const val_t *sm, const char *loc, int kind);
void vx_map_init(vx_map_t *m, sx_arena_t *a);
int vx_map_get(const vx_map_t *m, const char *k, size_t n);  /* -1 when absent */
void vx_map_put(vx_map_t *m, const char *k, size_t n, int v);

/* ---- asl_validate_util.c ---- */
/* Appends a SCHEMA_VALIDATION_FAILED (or code) diagnostic at loc/field (field NULL: loc). */
void vx_diag(vx_t *vx, const char *code, const char *loc, const char *field, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
#define vx_schema(vx, loc, field, ...) vx_diag((vx), ASL_DIAG_SCHEMA, (loc), (field), __VA_ARGS__)
/* Returns loc + "/" + key (escaped per RFC 6901), or loc + "/" + i. */
const char *vx_loc(vx_t *vx, const char *loc, const char *key);
const char *vx_loci(vx_t *vx, const char *loc, size_t i);

/* Typed getters: return the member when present with the right type, NULL when absent or of
 * the wrong type (then a diagnostic is added). */
const val_t *vx_str(vx_t *vx, const val_t *obj, const char *loc, const char *field);
const val_t *vx_obj(vx_t *vx, const val_t *obj, const char *loc, const char *field);
const val_t *vx_arr(vx_t *vx, const val_t *obj, const char *loc, const char *field);
const val_t *vx_bool(vx_t *vx, const val_t *obj, const char *loc, const char *field);
/* Integer field in [min, max]; with jsonata, a {% %} string is also accepted (and compiled).
 * Returns 1 and *out for a valid integer, 2 for an expression, 0 when absent or invalid. */
int vx_int(vx_t *vx, const val_t *obj, const char *loc, const char *field, long long min,
           long long max, bool jsonata, long long *out);
/* Number field in [min, max], same conventions. */
int vx_num(vx_t *vx, const val_t *obj, const char *loc, const char *field, double min,
           double max, bool jsonata, double *out);
/* True when v is a string of the form {% ... %}. */
bool vx_is_expr(const val_t *v);
/* Reports when both fields are present ("Only one of these fields can be specified"). */
void vx_exclusive(vx_t *vx, const val_t *obj, const char *loc, const char *f1, const char *f2);
/* Reports every member of obj whose key is not in the NULL-terminated list. */
void vx_known(vx_t *vx, const val_t *obj, const char *loc, const char *const *keys);

/* Path checks. Each reports a present field whose value is not a string (null allowed with
 * nullable) or does not compile. flags: JP_F_* of path.h. */
void vx_path(vx_t *vx, const val_t *obj, const char *loc, const char *field, unsigned flags,
             bool nullable);
/* A Path or an intrinsic call (ErrorPath, CausePath). */
void vx_path_or_fn(vx_t *vx, const val_t *obj, const char *loc, const char *field);
/* A payload template (Parameters, ResultSelector, ItemSelector, BatchInput). With
 * need_object, values other than objects are reported. */
void vx_tmpl(vx_t *vx, const val_t *obj, const char *loc, const char *field, bool need_object);
/* Compiles every {% %} string in v (any depth; keys are never expressions). field names v
 * for messages as AWS's runtime texts do ("Output", "Output/a/0", "Assign/x"); loc is v's
 * location. */
void vx_jsonata(vx_t *vx, const val_t *v, const char *loc, const char *field);
/* Checks the field as a JSONata-capable value when present (any JSON). */
void vx_jsonata_field(vx_t *vx, const val_t *obj, const char *loc, const char *field);
/* Assign of a state, Choice rule or catcher (obj holds the Assign member). */
void vx_assign(vx_t *vx, const val_t *obj, const char *loc, bool jsonata);

/* ---- asl_validate_states.c ---- */
/* Checks one state: fields allowed for its type and language, then the type's own rules. */
void vx_state(vx_state_t *st);
/* Error names of Retry/Catch. */
void vx_error_names(vx_t *vx, const val_t *errs, const char *loc, bool last, const char *what);

/* ---- asl_validate_map.c ---- */
void vx_state_map(vx_state_t *st);

/* ---- asl_validate_choice.c ---- */
void vx_state_choice(vx_state_t *st);

#endif

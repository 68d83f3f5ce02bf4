/*
 * asl_int.h: private helpers shared by the asl_compile*.c files.
 */
#ifndef SX_ASL_INT_H
#define SX_ASL_INT_H

#include "stepx/asl.h"

/* Compile context: the machine under construction and the first error. */
typedef struct asl_cc {
    sx_arena_t *a;         /* machine arena */
    asl_machine_t *m;      /* machine under construction */
    asl_state_t *states;   /* writable view of m->states */
    asl_graph_t *graphs;   /* writable view of m->graphs */
    uint32_t nstates, ngraphs;
    const val_t *names;    /* object: state name -> index (number) */
    asl_cerr_t *cerr;      /* where the first error goes */
    const char *where;     /* JSON pointer of the state being compiled */
} asl_cc_t;

/* Records an error at where + "/" + field and returns SX_ERR. */
int asl_cc_fail(asl_cc_t *cc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Compiles a JSONata field value (NULL v gives *out = NULL). */
int asl_cc_jx(asl_cc_t *cc, const val_t *v, const char *field, const asl_jx_t **out);
/* Resolves a state name; ASL_NO_STATE when unknown. */
uint32_t asl_cc_find(const asl_cc_t *cc, const val_t *name);
/* Compiles the Retry and Catch arrays of state s (definition d). */
int asl_cc_retry_catch(asl_cc_t *cc, asl_state_t *s, const val_t *d);
/* Compiles the type-specific fields of a Map state. */
int asl_cc_map(asl_cc_t *cc, asl_state_t *s, const val_t *d);
/* Compiles a numeric field: static number, `<name>Path` reference path, JSONata string. */
int asl_cc_num(asl_cc_t *cc, const asl_state_t *s, const val_t *d, const char *name,
               asl_num_field_t *out);

#endif

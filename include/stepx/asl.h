/*
 * asl.h: a compiled state machine.
 *
 * A definition is parsed, validated and compiled ONCE into an asl_machine_t: every state of
 * the whole machine (top level, Parallel branches, Map processors, at any depth) sits in one
 * flat array, transitions are indexes into it, and every path, payload template, intrinsic
 * call and JSONata expression is precompiled. The machine and everything it points to live
 * in the machine's own arena and are never modified after asl_machine_compile() returns, so
 * any number of executions on any number of threads share it read-only. It is refcounted:
 * each execution holds a reference (asl_machine_ref/unref); the last unref frees the arena.
 *
 *   machine
 *   +--------+     states[0..n)                         graphs[0..g)
 *   | states | --> [Init][Check][Loop][Done][A1][B1] --> g0 = top level  {start=0}
 *   | graphs |                           \  \            g1 = branch 0   {start=4}
 *   | arena  |     Parallel.u.par.branches -> g1, g2     g2 = branch 1   {start=5}
 *   +--------+
 *
 * Query languages: a state is either JSONPath (jp_* programs) or JSONata (asl_jx_t values,
 * i.e. JSON with {% %} expressions) according to its QueryLanguage or the machine's.
 */
#ifndef STEPX_ASL_H
#define STEPX_ASL_H

#include <stdbool.h>
#include <stdint.h>

#include "stepx/asl_choice.h"
#include "stepx/err.h"
#include "stepx/jsonata.h"
#include "stepx/path.h"
#include "stepx/val.h"

typedef enum asl_state_type {
    ASL_STATE_PASS = 0,
    ASL_STATE_TASK,
    ASL_STATE_CHOICE,
    ASL_STATE_WAIT,
    ASL_STATE_SUCCEED,
    ASL_STATE_FAIL,
    ASL_STATE_PARALLEL,
    ASL_STATE_MAP
} asl_state_type_t;

#define ASL_NO_STATE UINT32_MAX /* "no next state" */

/* A JSONata-mode field value: any JSON where strings "{% expr %}" are expressions. */
typedef struct asl_jx asl_jx_t;
struct asl_jx {
    uint8_t kind;      /* ASL_JX_LIT (constant), _EXPR, _OBJ or _ARR (with expressions inside) */
    uint32_t n;        /* members / items for _OBJ/_ARR */
    const val_t *lit;  /* _LIT: the value; _OBJ: the keys' owner object (for key strings) */
    const jna_expr_t *expr; /* _EXPR */
    const char *field; /* field path for error texts: "Output", "Arguments/FunctionName" */
    const asl_jx_t *const *kids; /* _OBJ/_ARR: one per member/item */
};
enum { ASL_JX_LIT = 0, ASL_JX_EXPR, ASL_JX_OBJ, ASL_JX_ARR };

/* Returns true when a JSON string is a JSONata expression ({% ... %} exactly). */
bool asl_jx_is_expr(const char *s, size_t n);

/* One of a state's I/O values that can be static, a JSONPath `*Path` or a JSONata
 * expression (TimeoutSeconds/Path, MaxConcurrency/Path, ...). */
typedef struct asl_num_field {
    bool set;               /* the field (in any form) is present */
    double value;           /* static value */
    const jp_prog_t *path;  /* the *Path form (Reference Path), or NULL */
    const asl_jx_t *jx;     /* JSONata form, or NULL */
} asl_num_field_t;

typedef struct asl_retrier {
    const char *const *errors; /* ErrorEquals (machine arena) */
    uint32_t nerrors;
    uint32_t max_attempts;  /* default 3 */
    double interval_s;      /* default 1 */
    double backoff;         /* default 2.0 */
    double max_delay_s;     /* 0 = unbounded */
    bool jitter_full;       /* JitterStrategy FULL */
} asl_retrier_t;

typedef struct asl_catcher {
    const char *const *errors; /* ErrorEquals */
    uint32_t nerrors;
    uint32_t next;              /* state index */
    const jp_prog_t *result_path; /* JSONPath: NULL = "$" */
    bool result_path_null;      /* ResultPath: null (discard) */
    uint32_t result_path_len;   /* its text's length (payload size bound), 0 for "$" */
    const jp_tmpl_t *assign;    /* JSONPath Assign or NULL */
    const asl_jx_t *assign_jx;  /* JSONata Assign or NULL */
    const asl_jx_t *output_jx;  /* JSONata Output or NULL */
} asl_catcher_t;

/* A graph: the top level, one Parallel branch or a Map processor. */
typedef struct asl_graph {
    uint32_t start;   /* index of StartAt */
    uint32_t first;   /* its states occupy [first, first + count) */
    uint32_t count;
    bool jsonata;     /* default query language inside (the machine's) */
} asl_graph_t;

typedef struct asl_choice_branch {
    const asl_choice_t *rule;           /* JSONPath rule (asl_choice.h) */
    const val_t *rule_def;              /* the rule's definition object */
    const asl_jx_t *cond_jx;            /* JSONata Condition */
    uint32_t next;
    const jp_tmpl_t *assign;            /* JSONPath Assign of the rule */
    const asl_jx_t *assign_jx;          /* JSONata Assign of the rule */
    const asl_jx_t *output_jx;          /* JSONata Output of the rule */
} asl_choice_branch_t;

typedef enum asl_wait_kind {
    ASL_WAIT_SECONDS = 0,
    ASL_WAIT_TIMESTAMP,
    ASL_WAIT_SECONDS_PATH,
    ASL_WAIT_TIMESTAMP_PATH
} asl_wait_kind_t;

typedef struct asl_state asl_state_t;
struct asl_state {
    const char *name;    /* state name (machine arena) */
    uint32_t index;      /* position in machine->states */
    uint32_t next;       /* Next, or ASL_NO_STATE */
    uint32_t graph;      /* graph it belongs to */
    uint8_t type;        /* asl_state_type_t */
    bool end;            /* End: true (or terminal type) */
    bool jsonata;        /* QueryLanguage of this state */
    bool needs_ctx;      /* some field may read $$ / $states.context */
    const val_t *def;    /* the state's definition object (for diagnostics) */

    /* JSONPath I/O (NULL = default "$"; a written "$" compiles to NULL too) */
    const jp_prog_t *input_path;
    const jp_prog_t *output_path;
    const jp_prog_t *result_path;
    bool input_path_null, output_path_null, result_path_null;
    uint32_t result_path_len;         /* ResultPath text length (payload size bound) */
    const jp_tmpl_t *parameters;      /* also Map ItemSelector/Parameters */
    const jp_tmpl_t *result_selector;
    const jp_tmpl_t *assign;
    /* JSONata I/O */
    const asl_jx_t *output_jx;
    const asl_jx_t *arguments_jx;     /* Task/Parallel Arguments; Map ItemSelector */
    const asl_jx_t *assign_jx;

    const asl_retrier_t *retry;
    uint32_t nretry;
    const asl_catcher_t *catchers;
    uint32_t ncatch;

    union {
        struct {
            const val_t *result;  /* Result, or NULL */
            size_t result_len;    /* its JSON size (DataLimitExceeded check) */
        } pass;
        struct {
            const char *resource;    /* Resource ARN */
            asl_num_field_t timeout; /* TimeoutSeconds(+Path) */
            asl_num_field_t heartbeat;
            const jp_tmpl_t *credentials; /* JSONPath Credentials template */
            const asl_jx_t *credentials_jx;
        } task;
        struct {
            const asl_choice_branch_t *branches;
            uint32_t nbranches;
            uint32_t deflt; /* Default or ASL_NO_STATE */
        } choice;
        struct {
            uint8_t kind;            /* asl_wait_kind_t */
            int64_t seconds;         /* Seconds */
            int64_t ts_ms;           /* Timestamp (epoch ms, truncated to seconds) */
            const jp_prog_t *path;   /* SecondsPath / TimestampPath */
            const asl_jx_t *jx;      /* JSONata Seconds / Timestamp */
        } wait;
        struct {
            const char *error, *cause;       /* static Error/Cause or NULL */
            const jp_expr_t *error_path, *cause_path;
            const asl_jx_t *error_jx, *cause_jx;
        } fail;
        struct {
            const uint32_t *branches; /* graph indexes */
            uint32_t nbranches;
        } par;
        struct {
            uint32_t graph;                 /* ItemProcessor / Iterator */
            const jp_prog_t *items_path;    /* NULL = "$" */
            const asl_jx_t *items_jx;       /* JSONata Items */
            asl_num_field_t max_conc;       /* MaxConcurrency(+Path) */
            asl_num_field_t tol_count;      /* ToleratedFailureCount(+Path) */
            asl_num_field_t tol_pct;        /* ToleratedFailurePercentage(+Path) */
            asl_num_field_t batch_max_items; /* ItemBatcher.MaxItemsPerBatch(+Path) */
            asl_num_field_t batch_max_bytes; /* ItemBatcher.MaxInputBytesPerBatch(+Path) */
            bool batcher;                   /* ItemBatcher present */
            const jp_tmpl_t *batch_input;   /* BatchInput (JSONPath template) */
            const asl_jx_t *batch_input_jx;
            const char *label;
        } map;
    } u;
};

typedef struct asl_machine asl_machine_t;
struct asl_machine {
    sx_arena_t *arena;         /* owns everything below */
    const asl_state_t *states; /* all states, all graphs */
    uint32_t nstates;
    const asl_graph_t *graphs; /* [0] = top level */
    uint32_t ngraphs;
    const val_t *def;          /* the definition */
    size_t def_len;            /* its JSON text size (billing memory estimate) */
    int64_t timeout_s;         /* TimeoutSeconds, 0 = none */
    bool jsonata;              /* top-level QueryLanguage */
    uint32_t nmappar;          /* number of Map/Parallel states (billing estimate) */
    int _refs;                 /* private: reference count (atomic) */
};

typedef struct asl_cerr {
    char msg[512];   /* AWS-style one-line reason */
    char where[256]; /* JSON pointer ("/States/X/Parameters") or "" */
} asl_cerr_t;

/* Compiles a parsed definition (borrowed; cloned into the machine's arena). Returns SX_OK and
 * a machine with one reference, or SX_ERR with the reason in *cerr. The definition must have
 * passed validation (asl_validate_text) first; compile reports only what it cannot build. */
int asl_machine_compile(const val_t *def, asl_machine_t **out, asl_cerr_t *cerr);
/* Parses, validates (asl_validate_text, for machine type `type`: an asl_type_t) and compiles
 * definition text. On SX_ERR *why is a heap string with the formatted reason(s), one per
 * line (free with sx_free). */
int asl_machine_compile_text(const char *text, size_t len, int type, asl_machine_t **out,
                             char **why);
asl_machine_t *asl_machine_ref(asl_machine_t *m);
void asl_machine_unref(asl_machine_t *m);

/* Returns the index of the state named name, or ASL_NO_STATE. */
uint32_t asl_machine_find(const asl_machine_t *m, const char *name);
/* The graph a state index starts, for diagnostics. */
static inline const asl_state_t *
asl_machine_state(const asl_machine_t *m, uint32_t i)
{
    return &m->states[i];
}

/* True when an error name is matched by an ErrorEquals list (States.ALL, States.TaskFailed
 * rules included). */
bool asl_errors_match(const char *const *errors, uint32_t n, const char *name);

#endif

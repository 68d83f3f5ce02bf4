/*
 * err.h: ASL errors as data.
 *
 * An error is a (name, cause) pair. Names of States.* errors are interned constants compared
 * by pointer or by strcmp; user error names come from definitions or task results. Causes are
 * texts exactly as AWS prints them. The engine adds the "An error occurred while executing the
 * state 'S' (entered at the event id #N). " prefix where AWS does; modules below the engine
 * (paths, intrinsics, JSONata) report only the detail text.
 */
#ifndef STEPX_ERR_H
#define STEPX_ERR_H

#include "stepx/sx.h"

typedef struct sx_err {
    const char *name;  /* error name (static or arena-owned); NULL = no error */
    const char *cause; /* cause text (arena-owned or static); NULL = absent */
} sx_err_t;

#define SX_ERR_NAME_MAX 256
#define SX_ERR_CAUSE_MAX 32768

extern const char ASL_E_ALL[];                  /* States.ALL */
extern const char ASL_E_TIMEOUT[];              /* States.Timeout */
extern const char ASL_E_HEARTBEAT_TIMEOUT[];    /* States.HeartbeatTimeout */
extern const char ASL_E_TASK_FAILED[];          /* States.TaskFailed */
extern const char ASL_E_PERMISSIONS[];          /* States.Permissions */
extern const char ASL_E_RESULT_PATH_MATCH[];    /* States.ResultPathMatchFailure */
extern const char ASL_E_PARAMETER_PATH[];       /* States.ParameterPathFailure */
extern const char ASL_E_INTRINSIC_FAILURE[];    /* States.IntrinsicFailure */
extern const char ASL_E_BRANCH_FAILED[];        /* States.BranchFailed */
extern const char ASL_E_NO_CHOICE_MATCHED[];    /* States.NoChoiceMatched */
extern const char ASL_E_DATA_LIMIT[];           /* States.DataLimitExceeded */
extern const char ASL_E_RUNTIME[];              /* States.Runtime */
extern const char ASL_E_QUERY_EVAL[];           /* States.QueryEvaluationError */
extern const char ASL_E_TOLERATED_FAILURE[];    /* States.ExceedToleratedFailureThreshold */
extern const char ASL_E_ITEM_READER_FAILED[];   /* States.ItemReaderFailed */
extern const char ASL_E_RESULT_WRITER_FAILED[]; /* States.ResultWriterFailed */
extern const char ASL_E_HTTP_SOCKET[];          /* States.Http.Socket */

/* Sets err to (name, printf-formatted cause in arena a). Returns SX_ERR for tail calls. */
int sx_err_set(sx_err_t *err, sx_arena_t *a, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

/*
 * asl_validate.h: definition validation with AWS-style diagnostics.
 *
 * A definition (the JSON text of a state machine) is checked as CreateStateMachine and
 * ValidateStateMachineDefinition check it, and EVERY problem found is reported, not just the
 * first, as a diagnostic {code, message, location}:
 *
 *   code      SCHEMA_VALIDATION_FAILED   a field is missing, unknown, of the wrong type or
 *                                        out of range; a path, template, intrinsic or
 *                                        JSONata expression does not compile; an Express
 *                                        restriction is violated
 *             INVALID_JSON_DESCRIPTION   the text is not JSON (message has line and column)
 *             MISSING_TRANSITION_TARGET  StartAt / Next / Default / Catch Next names no state
 *                                        of the same scope (top level, branch, item processor)
 *             UNREACHABLE_STATE          no transition reaches the state
 *             DUPLICATE_STATE_NAME       a state name used twice anywhere in the machine
 *                                        (nested branches and item processors included)
 *   message   the detail text as AWS prints it where AWS's text is recorded ("These fields are
 *             required: [States]", "Value cannot be empty", "String does not match RFC3339
 *             timestamp", ...); elsewhere a text in the same style (see asl_validate.c).
 *   location  a JSON pointer (RFC 6901) into the definition: "/", "/States/X/Next",
 *             "/States/M/ItemProcessor/States/Y/Type"; NULL when there is none (bad JSON).
 *
 * The engine calls asl_validate_text() before compiling a definition and refuses any
 * definition with diagnostics. A definition without diagnostics has: every required field
 * present with its JSON type (StartAt/Next/Default/Catch Next strings naming a state of the
 * same scope, Resource a non-empty string, Branches a non-empty array of scopes, Choices a
 * non-empty array of rules that asl_choice_compile accepts, Retry/Catch arrays of objects with
 * ErrorEquals non-empty string arrays, numbers integral and in range where AWS requires it),
 * every Path / template / intrinsic compiling with the path module, every "{% %}" compiling
 * with jna_compile, no field of the other query language. Tolerated as AWS tolerates them,
 * so compile must accept them too: Pass Parameters, Map ItemSelector / Parameters and JSONata
 * Parallel Arguments of any JSON type; InputPath / OutputPath / ResultPath null; JSONata
 * numeric fields given as "{% %}" strings; End present only as true.
 *
 * Checks that depend on other modules degrade gracefully while those modules are still
 * placeholders: when the path module cannot compile "$", paths/templates/intrinsics are not
 * checked; a JSONata compile error with code "S0000" (the placeholder) is not reported.
 */
#ifndef STEPX_ASL_VALIDATE_H
#define STEPX_ASL_VALIDATE_H

#include <stddef.h>

#include "stepx/sx.h"
#include "stepx/val.h"

/* Diagnostic codes (static strings; compare by strcmp or by pointer). */
extern const char ASL_DIAG_SCHEMA[];          /* SCHEMA_VALIDATION_FAILED */
extern const char ASL_DIAG_INVALID_JSON[];    /* INVALID_JSON_DESCRIPTION */
extern const char ASL_DIAG_MISSING_TARGET[];  /* MISSING_TRANSITION_TARGET */
extern const char ASL_DIAG_UNREACHABLE[];     /* UNREACHABLE_STATE */
extern const char ASL_DIAG_DUPLICATE_STATE[]; /* DUPLICATE_STATE_NAME */

typedef struct asl_diag {
    const char *code;     /* one of ASL_DIAG_* */
    const char *message;  /* detail text (arena-owned or static), without " at <location>" */
    const char *location; /* JSON pointer (arena-owned), or NULL when there is none */
} asl_diag_t;

typedef struct asl_diags {
    asl_diag_t *v;  /* len diagnostics in the order found (arena-owned) */
    size_t len;     /* diagnostics found */
    size_t cap;     /* slots allocated in v */
    sx_arena_t *a;  /* arena of v and of every message and location (borrowed) */
} asl_diags_t;

/* The machine type the definition is validated for: EXPRESS adds the Express restrictions
 * (no .sync, .sync:2, .waitForTaskToken integrations, no Activity ARNs). */
typedef enum asl_type { ASL_TYPE_STANDARD = 0, ASL_TYPE_EXPRESS } asl_type_t;

/* Makes an empty list whose storage lives in arena a (borrowed). */
void asl_diags_init(asl_diags_t *d, sx_arena_t *a);

/* Appends a diagnostic with a printf-formatted message. code is stored as given (use the
 * ASL_DIAG_* constants), location is copied (NULL allowed). */
void asl_diags_add(asl_diags_t *d, const char *code, const char *location, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Validates definition def (a value from val_json_parse; borrowed) for a machine of the
 * given type and appends every diagnostic to out (initialised by the caller; its arena gets
 * the texts). Returns SX_OK when no diagnostic was added, SX_ERR otherwise. Scratch memory
 * comes from a (may be out->a). */
int asl_validate(sx_arena_t *a, const val_t *def, asl_type_t type, asl_diags_t *out);

/* Parses the n bytes at json into arena a, then validates as asl_validate does. *def gets the
 * parsed definition (arena-owned) or NULL when the text is not a JSON object. Text that is
 * not JSON gives one INVALID_JSON_DESCRIPTION diagnostic; empty text or JSON other than an
 * object gives SCHEMA_VALIDATION_FAILED "Definition must be a valid JSON object". Returns
 * SX_OK when valid, SX_ERR otherwise. def may be NULL. */
int asl_validate_text(sx_arena_t *a, const char *json, size_t n, asl_type_t type,
                      const val_t **def, asl_diags_t *out);

/* Returns AWS's one-line form of one diagnostic, in arena a:
 *   Invalid State Machine Definition: 'CODE: message at /location'
 * (" at /location" omitted when the location is NULL). */
const char *asl_diag_format(sx_arena_t *a, const asl_diag_t *d);

/* Returns the InvalidDefinition message for all of d (AWS joins the diagnostics with ", "
 * inside the quotes), in arena a; "" when d is empty. */
const char *asl_diags_format(sx_arena_t *a, const asl_diags_t *d);

/* Parses "EXPRESS" / "STANDARD" (exact, as the API spells them). Returns SX_OK or SX_ERR. */
int asl_type_parse(const char *s, asl_type_t *out);

#endif

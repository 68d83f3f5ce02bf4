/*
 * mock.h: Step Functions Local's MockConfigFile (express.md §6) as a task resource.
 *
 *   {"StateMachines": {"<SM>": {"TestCases": {"<TC>": {"<Task state>": "<response>"}}}},
 *    "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {...}}}}}
 *
 * A resource made for (state machine, test case) serves exactly the Task states the test
 * case lists (others are declined, so the next resource gets them). The invocation number of
 * a state (0-based, per execution; retries and Map iterations count) selects the entry whose
 * key is that number or an inclusive range "a-b". Return completes the task with the value
 * as is (for arn:aws:states:::lambda:invoke that is the whole invoke response, e.g.
 * {"StatusCode":200,"Payload":...}; for a Lambda function ARN it is the function's result);
 * Throw fails it with Error/Cause. An invocation without an entry fails the task with
 * States.TaskFailed.
 */
#ifndef STEPX_MOCK_H
#define STEPX_MOCK_H

#include "stepx/exec.h"

typedef struct mock_cfg mock_cfg_t;

/* Parses a MockConfigFile text. Returns SX_OK and a heap-owned config, or SX_ERR with a
 * message (line/column for bad JSON) in err. */
int mock_cfg_parse(const char *text, size_t len, mock_cfg_t **out, char *err, size_t errlen);
void mock_cfg_free(mock_cfg_t *c);

/* Fills r with a resource serving test case tc of state machine sm. Borrows c, which must
 * outlive every execution using r. SX_ERR (message in err) when sm/tc are not in c. */
int mock_resource_init(ex_resource_t *r, mock_cfg_t *c, const char *sm, const char *tc,
                       char *err, size_t errlen);

#endif

/*
 * jp_fixture.h: what the JSONPath, template and intrinsic tests share (one per test
 * program: the definitions are static). A is the run's arena; VARS and CTX are the variables
 * and context object expressions see (set by main); J() parses test JSON (null, with a
 * message, when the test itself is wrong); var_get is the jp_env_t variable lookup.
 */
#ifndef STEPX_TEST_JP_FIXTURE_H
#define STEPX_TEST_JP_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "stepx/val.h"

static sx_arena_t *A;
static const val_t *VARS;
static const val_t *CTX;

static const val_t *
J(const char *s)
{
    const val_t *v;
    val_json_err_t e;
    if (val_json_parse(A, s, strlen(s), &v, &e) != SX_OK) {
        fprintf(stderr, "bad test JSON: %s: %s\n", s, e.msg);
        return val_null();
    }
    return v;
}

static const val_t *
var_get(void *ud, const char *name, size_t len)
{
    (void)ud;
    return val_obj_get(VARS, name, len);
}

#endif

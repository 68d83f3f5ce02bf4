/*
 * test_choice_conf.c: the AWS-recorded "choiceoperators" conformance cases
 * (/work/shared/conformance/asl/choice_operators_*.json, feature "choiceoperators", 284 cases),
 * run through the Choice compiler and evaluator alone, without the engine.
 *
 * Each case is a Choice state routing to Pass states whose Result names the branch
 * ({"TestResult.$": "ConditionTrue"}). The recorded output therefore tells which state AWS
 * went to: the one whose Result equals it. We compile the Choice rules, select the first
 * matching rule (or Default) on the case input and compare the target state.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/asl_choice.h"
#include "stepx/sx.h"
#include "stepx/val.h"
#include "../sx_test.h"

#define CONF_DIR "/work/shared/conformance/asl"

static int n_cases, n_pass;

/* Returns the name of the Pass state whose Result equals the expected output, or NULL. */
static const char *
expected_target(const val_t *states, const val_t *expected)
{
    const val_t *out = val_obj_gets(expected, "output");
    for (size_t i = 0; i < val_len(states); i++) {
        const val_member_t *m = val_obj_at(states, i);
        const val_t *res = val_obj_gets(m->val, "Result");
        if (res != NULL && out != NULL && val_equal(res, out))
            return val_str_get(m->key);
    }
    return NULL;
}

/* Compiles the machine's Choice state and returns the state it picks, or NULL (diagnosed). */
static const char *
choose(sx_arena_t *a, const val_t *states, const val_t *input, const char *file)
{
    const val_t *st = NULL;
    char err[256], where[256];
    jp_env_t env = {.input = input, .context = val_obj_empty()};
    sx_err_t e = {0};
    int idx = -1;

    for (size_t i = 0; i < val_len(states) && st == NULL; i++) {
        const val_t *s = val_obj_at(states, i)->val;
        const val_t *type = val_obj_gets(s, "Type");
        if (val_is(type, VAL_STR) && strcmp(val_str_get(type), "Choice") == 0)
            st = s;
    }
    const val_t *choices = val_obj_gets(st, "Choices");
    if (!val_is(choices, VAL_ARR)) {
        fprintf(stderr, "  %s: no Choice state\n", file);
        return NULL;
    }
    const asl_choice_t **rules = sx_arena_alloc(a, (val_len(choices) + 1) * sizeof *rules);
    for (size_t i = 0; i < val_len(choices); i++) {
        if (asl_choice_compile(a, val_arr_at(choices, i), 0, &rules[i], err, sizeof err, where,
                               sizeof where) != SX_OK) {
            fprintf(stderr, "  %s: compile: %s at /Choices/%zu%s\n", file, err, i, where);
            return NULL;
        }
    }
    if (asl_choice_select(rules, val_len(choices), &env, a, &idx, &e) != SX_OK) {
        fprintf(stderr, "  %s: eval: %s: %s\n", file, e.name, e.cause);
        return NULL;
    }
    if (idx >= 0)
        return rules[idx]->next;
    const val_t *def = val_obj_gets(st, "Default");
    return val_is(def, VAL_STR) ? val_str_get(def) : "(NoChoiceMatched)";
}

static void
run_case(const char *path, const char *file)
{
    char *text = NULL;
    size_t len = 0;
    const val_t *c = NULL;
    val_json_err_t je;
    sx_arena_t *a = sx_arena_new(0);

    n_cases++;
    if (sx_read_file(path, &text, &len) != SX_OK ||
        val_json_parse(a, text, len, &c, &je) != SX_OK) {
        fprintf(stderr, "  %s: unreadable\n", file);
        goto out;
    }
    const val_t *feature = val_obj_gets(c, "feature");
    if (!val_is(feature, VAL_STR) || strcmp(val_str_get(feature), "choiceoperators") != 0) {
        fprintf(stderr, "  %s: not a choiceoperators case\n", file);
        goto out;
    }
    const val_t *states = val_obj_gets(val_obj_gets(c, "definition"), "States");
    const val_t *expected = val_obj_gets(c, "expected");
    const char *want = expected_target(states, expected);
    if (want == NULL) {
        fprintf(stderr, "  %s: cannot tell the expected branch\n", file);
        goto out;
    }
    const char *got = choose(a, states, val_obj_gets(c, "input"), file);
    if (got != NULL && strcmp(got, want) == 0) {
        n_pass++;
    } else if (got != NULL) {
        fprintf(stderr, "  %s: went to %s, AWS went to %s\n", file, got, want);
    }
out:
    sx_free(text);
    sx_arena_free(a);
}

static void
test_choiceoperators(void)
{
    DIR *d = opendir(CONF_DIR);
    CHECK(d != NULL);
    if (d == NULL)
        return;
    struct dirent *de;
    char path[1024];
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "choice_operators_", 17) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", CONF_DIR, de->d_name);
        run_case(path, de->d_name);
    }
    closedir(d);
    printf("choiceoperators: %d/%d cases pass\n", n_pass, n_cases);
    CHECK(n_cases >= 284);
    CHECK_INT(n_pass, n_cases);
}

static const sx_test_t tests[] = {
    {"choiceoperators", test_choiceoperators},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("choice_conf", tests, argc, argv);
}

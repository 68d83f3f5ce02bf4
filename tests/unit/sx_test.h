/*
 * sx_test.h: the tiny unit-test harness (libevent's regress groups, without the framework).
 *
 *   static void test_foo(void) { CHECK(1 + 1 == 2); CHECK_STR(a, "x"); }
 *   static const sx_test_t tests[] = { {"foo", test_foo}, {NULL, NULL} };
 *   int main(int argc, char **argv) { return sx_test_main("group", tests, argc, argv); }
 *
 * A failed CHECK prints file:line and the expression, marks the test failed and goes on.
 * The last line printed is "N passed, N failed", which CI reads. An argument runs only the
 * tests whose name contains it.
 */
#ifndef SX_TEST_H
#define SX_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct sx_test {
    const char *name;
    void (*fn)(void);
} sx_test_t;

static int sx_test_failed_checks;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);         \
            sx_test_failed_checks++;                                                           \
        }                                                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                                   \
    do {                                                                                       \
        const char *g_ = (got), *w_ = (want);                                                  \
        if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {                       \
            fprintf(stderr, "  %s:%d: CHECK_STR failed: %s\n    got:  %s\n    want: %s\n",     \
                    __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
            sx_test_failed_checks++;                                                           \
        }                                                                                      \
    } while (0)

#define CHECK_INT(got, want)                                                                   \
    do {                                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);                               \
        if (g_ != w_) {                                                                        \
            fprintf(stderr, "  %s:%d: CHECK_INT failed: %s: got %lld, want %lld\n", __FILE__,  \
                    __LINE__, #got, g_, w_);                                                   \
            sx_test_failed_checks++;                                                           \
        }                                                                                      \
    } while (0)

static inline int
sx_test_main(const char *group, const sx_test_t *tests, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (const sx_test_t *t = tests; t->name != NULL; t++) {
        if (argc > 1 && strstr(t->name, argv[1]) == NULL)
            continue;
        int before = sx_test_failed_checks;
        t->fn();
        if (sx_test_failed_checks == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s/%s\n", group, t->name);
        }
    }
    printf("%s: %d passed, %d failed\n", group, passed, failed);
    return failed ? 1 : 0;
}

#endif

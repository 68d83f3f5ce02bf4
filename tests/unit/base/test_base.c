/* Unit tests for src/base: arena, sbuf, time formatting, uuid. */
#include <stdlib.h>

#include "../sx_test.h"
#include "stepx/sx.h"

static void
test_arena(void)
{
    sx_arena_t *a = sx_arena_new(64);
    char *p = sx_arena_alloc(a, 3);
    char *q = sx_arena_alloc(a, 5);
    CHECK(((uintptr_t)p & 7) == 0 && ((uintptr_t)q & 7) == 0);
    CHECK(q - p == 8);
    void *big = sx_arena_alloc(a, 1 << 20); /* larger than any chunk */
    memset(big, 1, 1 << 20);
    CHECK(sx_arena_used(a) >= (1 << 20) + 16);
    CHECK(sx_arena_reserved(a) >= sx_arena_used(a));
    size_t n;
    char *s = sx_arena_printf(a, &n, "%s-%d", "x", 42);
    CHECK_STR(s, "x-42");
    CHECK_INT(n, 4);
    char longfmt[600];
    memset(longfmt, 'y', sizeof(longfmt) - 1);
    longfmt[sizeof(longfmt) - 1] = '\0';
    CHECK_STR(sx_arena_printf(a, NULL, "%s", longfmt), longfmt);
    CHECK_STR(sx_arena_strndup(a, "abcdef", 3), "abc");
    unsigned char *z = sx_arena_calloc(a, 100);
    CHECK(z[0] == 0 && z[99] == 0);
    sx_arena_free(a);
    sx_arena_free(NULL);
}

static void
test_sbuf(void)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    for (int i = 0; i < 1000; i++)
        sx_sbuf_addf(&b, "%d,", i);
    CHECK(b.len > 3000);
    CHECK(strncmp(b.p, "0,1,2,", 6) == 0);
    CHECK(b.p[b.len] == '\0');
    sx_sbuf_reset(&b);
    CHECK_INT(b.len, 0);
    sx_sbuf_adds(&b, "ab");
    sx_sbuf_addc(&b, 'c');
    CHECK_STR(b.p, "abc");
    sx_sbuf_fini(&b);
    CHECK(b.p == NULL);
}

static void
test_time_uuid(void)
{
    char buf[40];
    sx_fmt_iso_ms(0, buf);
    CHECK_STR(buf, "1970-01-01T00:00:00.000Z");
    sx_fmt_iso_ms(1718040000123LL, buf);
    CHECK_STR(buf, "2024-06-10T17:20:00.123Z");
    char u1[37], u2[37];
    sx_uuid4(u1);
    sx_uuid4(u2);
    CHECK_INT(strlen(u1), 36);
    CHECK(u1[14] == '4');
    CHECK(strchr("89ab", u1[19]) != NULL);
    CHECK(strcmp(u1, u2) != 0);
    CHECK(sx_mono_ns() > 0);
    CHECK(sx_wall_ms() > 1700000000000LL);
}

static const sx_test_t tests[] = {
    {"arena", test_arena},
    {"sbuf", test_sbuf},
    {"time_uuid", test_time_uuid},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("base", tests, argc, argv);
}

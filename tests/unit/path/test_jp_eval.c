/*
 * test_jp_eval.c: JSONPath compile + evaluate (Jayway semantics as AWS uses them): roots,
 * names, indexes, slices, unions, wildcards, deep scan, filters, definite/indefinite results
 * and Jayway's not-found texts.
 */
#include <stdio.h>
#include <string.h>

#include "path/jp_int.h"
#include "stepx/path.h"
#include "../jp_fixture.h"
#include "../sx_test.h"

/* Returns the JSON of the result, "DECLINED: <detail>" or "COMPILE: <error>". */
static const char *
run_flags(const char *path, const char *doc, unsigned flags)
{
    const jp_prog_t *p;
    char err[300];
    if (jp_compile(A, path, strlen(path), flags, &p, err, sizeof(err)) != SX_OK)
        return sx_arena_printf(A, NULL, "COMPILE: %s", err);
    jp_env_t env = {.input = J(doc), .context = CTX, .var = var_get};
    const val_t *out = NULL;
    const char *detail = NULL;
    int rc = jp_eval(p, &env, A, &out, &detail);
    if (rc == SX_DECLINED)
        return sx_arena_printf(A, NULL, "DECLINED: %s", detail);
    if (rc != SX_OK)
        return "ERROR";
    return val_json_str(A, out, NULL);
}

static const char *
run(const char *path, const char *doc)
{
    return run_flags(path, doc, 0);
}

static bool
compiles(const char *path, unsigned flags)
{
    const jp_prog_t *p;
    char err[300];
    return jp_compile(A, path, strlen(path), flags, &p, err, sizeof(err)) == SX_OK;
}

static const char *STORE =
    "{\"store\":{\"book\":[{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":"
    "\"Sayings\",\"price\":8.95},{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\","
    "\"title\":\"Sword\",\"price\":12.99},{\"category\":\"fiction\",\"author\":\"Herman "
    "Melville\",\"title\":\"Moby Dick\",\"isbn\":\"0-553-21311-3\",\"price\":8.99},"
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"LOTR\",\"isbn\":"
    "\"0-395-19395-8\",\"price\":22.99}],\"bicycle\":{\"color\":\"red\",\"price\":19.95}},"
    "\"expensive\":10}";

static void
test_basic(void)
{
    CHECK_STR(run("$", "{\"a\":1}"), "{\"a\":1}");
    CHECK_STR(run("$.a", "{\"a\":1}"), "1");
    CHECK_STR(run("$.a.b", "{\"a\":{\"b\":[1,2]}}"), "[1,2]");
    CHECK_STR(run("$['a']['b']", "{\"a\":{\"b\":3}}"), "3");
    CHECK_STR(run("$[\"a\"]", "{\"a\":3}"), "3");
    CHECK_STR(run("$.['a']", "{\"a\":3}"), "3");
    CHECK_STR(run("$.a", "{\"a\":null}"), "null");
    CHECK_STR(run("$.a", "{\"a\":0.0}"), "0.0"); /* number text kept */
    CHECK_STR(run("$.a-b", "{\"a-b\":5}"), "5");
    CHECK_STR(run("$.délivery", "{\"délivery\":5}"), "5");
    CHECK_STR(run("$.a:b", "{\"a:b\":6}"), "6");
    CHECK_STR(run("$['a b']", "{\"a b\":7}"), "7");
    CHECK_STR(run("$['a.b']", "{\"a.b\":8}"), "8");
    CHECK_STR(run("$.a\\.b", "{\"a.b\":9}"), "9");
    CHECK_STR(run("$[ 'a' ]", "{\"a\":3}"), "3");
}

static void
test_quoted_names(void)
{
    /* AWS (recorded): $['Test\""Name"'] selects the key spelled Test\""Name". */
    CHECK_STR(run("$['Test\\\"\"Name\"']", "{\"Test\\\\\\\"\\\"Name\\\"\":\"ok\"}"), "\"ok\"");
    CHECK_STR(run("$['it\\'s']", "{\"it\\\\'s\":1}"), "1");
    CHECK_STR(run("$[\"x'y\"]", "{\"x'y\":2}"), "2");
    CHECK_STR(run("$['a]b']", "{\"a]b\":3}"), "3");
}

static void
test_indexes(void)
{
    const char *doc = "{\"items\":[10,11,12,13,14]}";
    CHECK_STR(run("$.items[0]", doc), "10");
    CHECK_STR(run("$.items[4]", doc), "14");
    CHECK_STR(run("$.items[-1]", doc), "14");
    CHECK_STR(run("$.items[-5]", doc), "10");
    CHECK_STR(run("$[1]", "[5,6]"), "6");
    CHECK_STR(run("$.items[10]", doc), "DECLINED: No results for path: $['items'][10]");
    CHECK_STR(run("$.items[-6]", doc), "DECLINED: No results for path: $['items'][-6]");
    CHECK_STR(run("$.a[1].b", "{\"a\":[{\"b\":1},{\"b\":2}]}"), "2");
    CHECK_STR(run("$.a[0][1]", "{\"a\":[[1,2]]}"), "2");
}

static void
test_slices(void)
{
    const char *doc = "{\"a\":[0,1,2,3,4,5]}";
    CHECK_STR(run("$.a[1:3]", doc), "[1,2]");
    CHECK_STR(run("$.a[:2]", doc), "[0,1]");
    CHECK_STR(run("$.a[4:]", doc), "[4,5]");
    CHECK_STR(run("$.a[-2:]", doc), "[4,5]");
    CHECK_STR(run("$.a[:-4]", doc), "[0,1]");
    CHECK_STR(run("$.a[1:100]", doc), "[1,2,3,4,5]");
    CHECK_STR(run("$.a[::2]", doc), "[0,2,4]");
    CHECK_STR(run("$.a[1:6:2]", doc), "[1,3,5]");
    CHECK_STR(run("$.a[::-1]", doc), "[5,4,3,2,1,0]");
    CHECK_STR(run("$.a[4:1:-1]", doc), "[4,3,2]");
    CHECK_STR(run("$.a[3:1]", doc), "[]");
    CHECK_STR(run("$.a[:]", doc), "[0,1,2,3,4,5]");
    CHECK(!compiles("$.a[1:2:0]", 0));
    /* AWS (recorded): slices on missing input give [] */
    CHECK_STR(run("$.items[:1]", "{}"), "[]");
    CHECK_STR(run("$.item.items[1:]", "{}"), "[]");
    CHECK_STR(run("$.items[:1].itemValue", "{}"), "[]");
    CHECK_STR(run("$.items[:1].v", "{\"items\":[{\"v\":1},{\"v\":2}]}"), "[1]");
}

static void
test_unions(void)
{
    CHECK_STR(run("$.a[0,2]", "{\"a\":[1,2,3]}"), "[1,3]");
    CHECK_STR(run("$.a[2,0,9]", "{\"a\":[1,2,3]}"), "[3,1]");
    /* Jayway: several names at the leaf merge into one object (a definite path) */
    CHECK_STR(run("$['a','b']", "{\"a\":1,\"b\":2,\"c\":3}"), "{\"a\":1,\"b\":2}");
    CHECK_STR(run("$['a','zz']", "{\"a\":1}"), "{\"a\":1}");
    CHECK_STR(run("$.x['a','b'].v", "{\"x\":{\"a\":{\"v\":1},\"b\":{\"v\":2}}}"), "[1,2]");
    CHECK_STR(run("$.x[*]['a','b']", "{\"x\":[{\"a\":1,\"b\":2,\"c\":3},{\"a\":4}]}"),
              "[{\"a\":1,\"b\":2},{\"a\":4}]");
}

static void
test_wildcards(void)
{
    CHECK_STR(run("$.a[*]", "{\"a\":[1,2]}"), "[1,2]");
    CHECK_STR(run("$.a.*", "{\"a\":{\"x\":1,\"y\":2}}"), "[1,2]");
    CHECK_STR(run("$.*", "{\"x\":1,\"y\":[2]}"), "[1,[2]]");
    CHECK_STR(run("$.a[*].b", "{\"a\":[{\"b\":1},{\"c\":2},{\"b\":3}]}"), "[1,3]");
    CHECK_STR(run("$.nope[*].x", "{}"), "[]");
    CHECK_STR(run("$.a[*]", "{\"a\":5}"), "[]");
    CHECK_STR(run("$.store.book[*].author", STORE),
              "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
}

static void
test_scan(void)
{
    CHECK_STR(run("$..author", STORE),
              "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
    CHECK_STR(run("$.store..price", STORE), "[8.95,12.99,8.99,22.99,19.95]");
    CHECK_STR(run("$..book[2].title", STORE), "[\"Moby Dick\"]");
    CHECK_STR(run("$..book[-1:].title", STORE), "[\"LOTR\"]");
    CHECK_STR(run("$..*", "{\"a\":{\"b\":1},\"c\":[2]}"), "[{\"b\":1},[2],1,2]");
    CHECK_STR(run("$..a", "{\"a\":{\"a\":1}}"), "[{\"a\":1},1]");
    CHECK_STR(run("$..[0]", "{\"x\":[[1,2],[3]]}"), "[[1,2],1,3]");
    CHECK_STR(run("$..['a','b']", "{\"a\":1,\"b\":2}"), "[{\"a\":1,\"b\":2}]");
    CHECK_STR(run("$..nothing", STORE), "[]");
    CHECK_STR(run("$..book[?(@.isbn)].title", STORE), "[\"Moby Dick\",\"LOTR\"]");
    CHECK_STR(run("$..[?(@.price > 20)].title", STORE), "[\"LOTR\"]");
    CHECK(!compiles("$..", 0));
    CHECK(!compiles("$.a..", 0));
}

static void
test_filters(void)
{
    /* AWS (recorded) */
    CHECK_STR(run("$.users[?(@.status == 0)]",
                  "{\"users\":[{\"year\":1997,\"status\":0},{\"year\":1998,\"status\":1}]}"),
              "[{\"year\":1997,\"status\":0}]");
    CHECK_STR(run("$.store.book[?(@.price < 10)].title", STORE), "[\"Sayings\",\"Moby Dick\"]");
    CHECK_STR(run("$.store.book[?(@.price <= 8.99)].title", STORE), "[\"Sayings\",\"Moby Dick\"]");
    CHECK_STR(run("$.store.book[?(@.price>20)].title", STORE), "[\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(@.price >= 22.99)].title", STORE), "[\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(@.category != 'fiction')].title", STORE), "[\"Sayings\"]");
    CHECK_STR(run("$.store.book[?(@.category == \"reference\")].title", STORE), "[\"Sayings\"]");
    CHECK_STR(run("$.store.book[?(@.price < $.expensive)].price", STORE), "[8.95,8.99]");
    CHECK_STR(run("$.store.book[?(@.isbn)].title", STORE), "[\"Moby Dick\",\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(!@.isbn)].title", STORE), "[\"Sayings\",\"Sword\"]");
    CHECK_STR(run("$.store.book[?(@.price < 10 && @.category == 'fiction')].title", STORE),
              "[\"Moby Dick\"]");
    CHECK_STR(run("$.store.book[?(@.price > 20 || @.category == 'reference')].title", STORE),
              "[\"Sayings\",\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(!(@.price < 10))].title", STORE), "[\"Sword\",\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(@.author =~ /.*Tolkien/)].title", STORE), "[\"LOTR\"]");
    CHECK_STR(run("$.store.book[?(@.author =~ /nigel.*/i)].title", STORE), "[\"Sayings\"]");
    /* =~ is a whole-string match (Java Pattern.matches) */
    CHECK_STR(run("$.store.book[?(@.author =~ /Tolkien/)].title", STORE), "[]");
    CHECK_STR(run("$.a[?(@ > 1)]", "{\"a\":[1,2,3]}"), "[2,3]");
    CHECK_STR(run("$.a[?(@ == 'x')]", "{\"a\":[\"x\",\"y\",\"x\"]}"), "[\"x\",\"x\"]");
    CHECK_STR(run("$.a[?(@.t == true)].n", "{\"a\":[{\"t\":true,\"n\":1},{\"t\":false,\"n\":2}]}"),
              "[1]");
    CHECK_STR(run("$.a[?(@.t == null)].n", "{\"a\":[{\"t\":null,\"n\":1},{\"n\":2}]}"), "[1]");
    CHECK_STR(run("$.a[?(@.n in [1,3])].n", "{\"a\":[{\"n\":1},{\"n\":2},{\"n\":3}]}"), "[1,3]");
    CHECK_STR(run("$.a[?(@.n nin [1,3])].n", "{\"a\":[{\"n\":1},{\"n\":2},{\"n\":3}]}"), "[2]");
    CHECK_STR(run("$.a[?(@.s in ['x','z'])].s", "{\"a\":[{\"s\":\"x\"},{\"s\":\"y\"}]}"),
              "[\"x\"]");
    CHECK_STR(run("$.a[?(@.v size 2)].v", "{\"a\":[{\"v\":[1,2]},{\"v\":\"ab\"},{\"v\":[1]}]}"),
              "[[1,2],\"ab\"]");
    CHECK_STR(run("$.a[?(@.v empty true)].v", "{\"a\":[{\"v\":[]},{\"v\":\"\"},{\"v\":[1]}]}"),
              "[[],\"\"]");
    CHECK_STR(run("$.a[?(@.v contains 'b')].v", "{\"a\":[{\"v\":\"abc\"},{\"v\":\"x\"}]}"),
              "[\"abc\"]");
    CHECK_STR(run("$.a[?(@.v anyof [1,9])].v", "{\"a\":[{\"v\":[1,2]},{\"v\":[3]}]}"), "[[1,2]]");
    CHECK_STR(run("$.a[?(@.v subsetof [1,2,3])].v", "{\"a\":[{\"v\":[1,2]},{\"v\":[4]}]}"),
              "[[1,2]]");
    CHECK_STR(run("$.a[?(@.v noneof [1])].v", "{\"a\":[{\"v\":[1,2]},{\"v\":[4]}]}"), "[[4]]");
    /* Jayway: a number equals a string with the same text; != holds when the path is missing */
    CHECK_STR(run("$.a[?(@.n == 1)].n", "{\"a\":[{\"n\":\"1\"},{\"n\":1},{\"n\":\"x\"}]}"),
              "[\"1\",1]");
    CHECK_STR(run("$.a[?(@.n != 1)]", "{\"a\":[{\"n\":1},{\"m\":1}]}"), "[{\"m\":1}]");
    CHECK_STR(run("$.a[?(@.n > 1)]", "{\"a\":[{\"n\":\"5\"},{\"m\":1}]}"), "[]");
    CHECK_STR(run("$.a[?(@.s < 'b')].s", "{\"a\":[{\"s\":\"a\"},{\"s\":\"c\"}]}"), "[\"a\"]");
    /* on an object the filter tests the object itself */
    CHECK_STR(run("$.o[?(@.x == 1)]", "{\"o\":{\"x\":1}}"), "[{\"x\":1}]");
    CHECK_STR(run("$.a[?(@.x == 1)]", "{}"), "[]");
    CHECK_STR(run("$.a[?(@['k y'] == 1)].n", "{\"a\":[{\"k y\":1,\"n\":7}]}"), "[7]");
    CHECK_STR(run("$.a[?(@.b[0] == 1)].n", "{\"a\":[{\"b\":[1],\"n\":7},{\"b\":[2]}]}"), "[7]");
}

static void
test_filter_syntax_errors(void)
{
    CHECK(!compiles("$.a[?(@.x == )]", 0));
    CHECK(!compiles("$.a[?(@.x == 1]", 0));
    CHECK(!compiles("$.a[?(@.x =~ /(/)]", 0));
    CHECK(!compiles("$.a[?(@.x == 'a)]", 0));
    CHECK(!compiles("$.a[?(@.x ==== 1)]", 0));
    CHECK(!compiles("$.a[?@.x]", 0));
    CHECK(!compiles("$.a[?(1)]", 0));
    CHECK(!compiles("$.a[?(@.x && )]", 0));
    /* filters inside filters: bounded nesting */
    char deep[1024] = "$.a";
    for (int k = 0; k < 16; k++)
        strcat(deep, "[?(@.b");
    for (int k = 0; k < 16; k++)
        strcat(deep, ")]");
    CHECK(compiles(deep, 0));
    char deeper[1024] = "$.a";
    for (int k = 0; k < 40; k++)
        strcat(deeper, "[?(@.b");
    for (int k = 0; k < 40; k++)
        strcat(deeper, ")]");
    CHECK(!compiles(deeper, 0));
    CHECK_STR(run("$.a[?(@.b[?(@ > 1)])].n", "{\"a\":[{\"b\":[1,2],\"n\":1},{\"b\":[0],\"n\":2}]}"),
              "[1]");
}

static void
test_not_found_texts(void)
{
    CHECK_STR(run("$.NoSuchInputPath", "{\"a\":1}"),
              "DECLINED: No results for path: $['NoSuchInputPath']");
    CHECK_STR(run("$.a.b", "{\"a\":{}}"), "DECLINED: No results for path: $['a']['b']");
    CHECK_STR(run("$.a.b.c", "{}"), "DECLINED: Missing property in path $['a']");
    CHECK_STR(run("$.a.b.c", "{\"a\":{}}"), "DECLINED: Missing property in path $['a']['b']");
    CHECK_STR(run("$.a[0].b", "{\"a\":[]}"), "DECLINED: No results for path: $['a'][0]['b']");
    CHECK_STR(run("$.a.b", "{\"a\":5}"),
              "DECLINED: Expected to find an object with property ['b'] in path $['a'] but "
              "found 'java.lang.Integer'. This is not a json object according to the "
              "JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    CHECK_STR(run("$.a.b", "{\"a\":null}"),
              "DECLINED: Expected to find an object with property ['b'] in path $['a'] but "
              "found 'null'. This is not a json object according to the JsonProvider: "
              "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    CHECK_STR(run("$.a[0]", "{\"a\":null}"), "DECLINED: The path $['a'] is null");
    CHECK_STR(run("$.a[0]", "{\"a\":{\"x\":1}}"),
              "DECLINED: Filter: [0] can only be applied to arrays. Current context is: "
              "{\"x\":1}");
    CHECK_STR(run("$.a", "[1]"),
              "DECLINED: Expected to find an object with property ['a'] in path $ but found "
              "'net.minidev.json.JSONArray'. This is not a json object according to the "
              "JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
}

static void
test_context_and_vars(void)
{
    CHECK_STR(run("$$", "{}"), "{\"Execution\":{\"Id\":\"e1\",\"Input\":{\"k\":1}},"
                               "\"Map\":{\"Item\":{\"Index\":2,\"Value\":\"v\"}}}");
    CHECK_STR(run("$$.Execution.Id", "{}"), "\"e1\"");
    CHECK_STR(run("$$.Map.Item.Index", "{}"), "2");
    CHECK_STR(run("$$.Execution.Input.k", "{}"), "1");
    CHECK_STR(run("$$.Nope", "{}"), "DECLINED: No results for path: $['Nope']");
    CHECK_STR(run("$x", "{}"), "{\"a\":[1,2]}");
    CHECK_STR(run("$x.a[1]", "{}"), "2");
    CHECK_STR(run("$x.a[*]", "{}"), "[1,2]");
    CHECK_STR(run("$n", "{}"), "5");
    CHECK_STR(run("$unset", "{}"), "DECLINED: The variable '$unset' is not defined");
    CHECK_STR(run("$x.b", "{}"), "DECLINED: No results for path: $['b']");
    CHECK(!compiles("$$", JP_F_NO_CONTEXT));
    CHECK(!compiles("$x", JP_F_NO_VAR));
    CHECK(!compiles("$1x", 0));
    CHECK(!compiles("$a-b", 0));
    CHECK(compiles("$_a1", 0));
    CHECK(compiles("$ünï", 0));

    const jp_prog_t *p;
    char err[200];
    CHECK(jp_compile(A, "$$.a", 4, 0, &p, err, sizeof(err)) == SX_OK);
    CHECK(jp_root_kind(p) == JP_ROOT_CONTEXT);
    CHECK(jp_compile(A, "$v.a", 4, 0, &p, err, sizeof(err)) == SX_OK);
    CHECK(jp_root_kind(p) == JP_ROOT_VAR);
    CHECK_STR(jp_src(p), "$v.a");
}

static void
test_compile_rules(void)
{
    CHECK(!compiles("", 0));
    CHECK(!compiles("a", 0));
    CHECK(!compiles(".a", 0));
    CHECK(!compiles("$.", 0));
    CHECK(!compiles("$.a.", 0));
    CHECK(!compiles("$a b", 0));
    CHECK(!compiles("$.a b", 0));
    CHECK(!compiles("$.a[", 0));
    CHECK(!compiles("$.a[0", 0));
    CHECK(!compiles("$.a[x]", 0));
    CHECK(!compiles("$.a['x]", 0));
    CHECK(!compiles("$.a['x'", 0));
    CHECK(!compiles("$.a['x' 'y']", 0));
    CHECK(!compiles("$.a[1,]", 0));
    CHECK(!compiles("$.length()", 0));
    CHECK(!compiles("$ .a", 0));
    CHECK(compiles("$.a[ 0 , 1 ]", 0));
    /* reference paths */
    CHECK(compiles("$", JP_F_REFERENCE));
    CHECK(compiles("$.a['b'][0].c", JP_F_REFERENCE));
    CHECK(!compiles("$.a[*]", JP_F_REFERENCE));
    CHECK(!compiles("$..a", JP_F_REFERENCE));
    CHECK(!compiles("$.a[0:1]", JP_F_REFERENCE));
    CHECK(!compiles("$.a[0,1]", JP_F_REFERENCE));
    CHECK(!compiles("$['a','b']", JP_F_REFERENCE));
    CHECK(!compiles("$.a[?(@.x)]", JP_F_REFERENCE));

    const jp_prog_t *p;
    char err[200];
    struct {
        const char *path;
        bool definite;
        bool root;
    } cases[] = {
        {"$", true, true},           {"$.a", true, false},          {"$.a[0]", true, false},
        {"$['a','b']", true, false}, {"$.a[*]", false, false},      {"$..a", false, false},
        {"$.a[0,1]", false, false},  {"$.a[1:]", false, false},     {"$$", true, false},
        {"$.a[?(@)]", false, false}, {"$['a','b'].c", false, false}};
    for (size_t k = 0; k < SX_ARRAY_LEN(cases); k++) {
        CHECK(jp_compile(A, cases[k].path, strlen(cases[k].path), 0, &p, err, sizeof(err)) ==
              SX_OK);
        CHECK(jp_is_definite(p) == cases[k].definite);
        CHECK(jp_is_root(p) == cases[k].root);
    }
    CHECK(jp_compile(A, "$.a b", 5, 0, &p, err, sizeof(err)) == SX_ERR);
    CHECK(strstr(err, "$.a b") != NULL);
}

static void
test_no_alloc_definite(void)
{
    const jp_prog_t *p;
    char err[100];
    const val_t *doc = J("{\"a\":{\"b\":{\"c\":[1,{\"d\":42}]}}}");
    CHECK(jp_compile(A, "$.a.b.c[1].d", 12, 0, &p, err, sizeof(err)) == SX_OK);
    sx_arena_t *ea = sx_arena_new(0);
    jp_env_t env = {.input = doc};
    const val_t *out;
    size_t before = sx_arena_used(ea);
    for (int k = 0; k < 1000; k++)
        CHECK(jp_eval(p, &env, ea, &out, NULL) == SX_OK);
    CHECK_INT(sx_arena_used(ea), before);
    CHECK(val_num_get(out) == 42);
    sx_arena_free(ea);
}

static const sx_test_t tests[] = {
    {"basic", test_basic},
    {"quoted_names", test_quoted_names},
    {"indexes", test_indexes},
    {"slices", test_slices},
    {"unions", test_unions},
    {"wildcards", test_wildcards},
    {"scan", test_scan},
    {"filters", test_filters},
    {"filter_syntax_errors", test_filter_syntax_errors},
    {"not_found_texts", test_not_found_texts},
    {"context_and_vars", test_context_and_vars},
    {"compile_rules", test_compile_rules},
    {"no_alloc_definite", test_no_alloc_definite},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    A = sx_arena_new(0);
    VARS = J("{\"x\":{\"a\":[1,2]},\"n\":5}");
    CTX = J("{\"Execution\":{\"Id\":\"e1\",\"Input\":{\"k\":1}},\"Map\":{\"Item\":{\"Index\":2,"
            "\"Value\":\"v\"}}}");
    int rc = sx_test_main("path_eval", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}

/*
 * test_tk_util.c: the task module's helpers without the network: the call map (including
 * backward-shift deletion under collisions), percent and form encoding per ArrayFormat,
 * name=value tables, JSON content types, reason phrases, bodies as values and the config
 * directive table.
 */
#include "task/tk_int.h"
#include "../sx_test.h"

static void
test_map(void)
{
    tk_map_t m = {0};
    enum { N = 5000 };
    static char keys[N];
    for (int i = 0; i < N; i++)
        tk_map_put(&m, &keys[i], (void *)(intptr_t)(i + 1));
    CHECK_INT(m.n, N);
    /* delete every third key, then check every key */
    for (int i = 0; i < N; i += 3)
        CHECK_INT((intptr_t)tk_map_del(&m, &keys[i]), i + 1);
    for (int i = 0; i < N; i++) {
        void *v = tk_map_get(&m, &keys[i]);
        if (i % 3 == 0)
            CHECK(v == NULL);
        else
            CHECK_INT((intptr_t)v, i + 1);
    }
    CHECK(tk_map_del(&m, &keys[0]) == NULL);
    CHECK(tk_map_get(&m, NULL) == NULL);
    tk_map_put(&m, &keys[1], (void *)(intptr_t)77);
    CHECK_INT((intptr_t)tk_map_get(&m, &keys[1]), 77);
    for (int i = 0; i < N; i++)
        tk_map_del(&m, &keys[i]);
    CHECK_INT(m.n, 0);
    tk_map_fini(&m);
    CHECK(tk_map_get(&m, &keys[1]) == NULL);
}

static const char *
form(sx_arena_t *a, const char *json, tk_arrfmt_t fmt)
{
    const val_t *v;
    sx_sbuf_t b = SX_SBUF_INIT;
    if (val_json_parse(a, json, strlen(json), &v, NULL) != SX_OK)
        return "(bad json)";
    tk_form_add(&b, NULL, v, fmt);
    const char *s = sx_arena_strndup(a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return s;
}

static void
test_form(void)
{
    sx_arena_t *a = sx_arena_new(0);
    const char *j = "{\"a\":[\"x\",\"y\"],\"n\":1.5,\"b\":true,\"z\":null,\"s\":\"\\u00e9 &=\"}";
    CHECK_STR(form(a, j, TK_ARR_INDICES),
              "a%5B0%5D=x&a%5B1%5D=y&n=1.5&b=true&z=&s=%C3%A9%20%26%3D");
    CHECK_STR(form(a, "{\"a\":[\"x\",\"y\"]}", TK_ARR_BRACKETS), "a%5B%5D=x&a%5B%5D=y");
    CHECK_STR(form(a, "{\"a\":[\"x\",\"y\"]}", TK_ARR_REPEAT), "a=x&a=y");
    CHECK_STR(form(a, "{\"a\":[\"x\",\"y\"]}", TK_ARR_COMMA), "a=x%2Cy");
    CHECK_STR(form(a, "{\"o\":{\"p\":{\"q\":1}},\"e\":[]}", TK_ARR_INDICES), "o%5Bp%5D%5Bq%5D=1");
    CHECK_STR(form(a, "[1,2]", TK_ARR_INDICES), "");
    CHECK_STR(form(a, "{}", TK_ARR_INDICES), "");
    sx_sbuf_t b = SX_SBUF_INIT;
    tk_pct_add(&b, "aZ09-_.~/ ?", 11);
    CHECK_STR(b.p, "aZ09-_.~%2F%20%3F");
    sx_sbuf_fini(&b);
    sx_arena_free(a);
}

static void
test_table(void)
{
    tk_table_t t;
    char msg[128];
    CHECK_INT(tk_table_parse(&t, " a = http://x/{name} ,b=u?x=1, *=w ", msg, sizeof(msg)), SX_OK);
    CHECK_INT(t.n, 3);
    CHECK_STR(tk_table_get(&t, "a"), "http://x/{name}");
    CHECK_STR(tk_table_get(&t, "b"), "u?x=1");
    CHECK_STR(tk_table_get(&t, "*"), "w");
    CHECK(tk_table_get(&t, "c") == NULL);
    tk_table_fini(&t);
    CHECK_INT(tk_table_parse(&t, NULL, msg, sizeof(msg)), SX_OK);
    CHECK_INT(t.n, 0);
    CHECK_INT(tk_table_parse(&t, "a=1,,b=2,", msg, sizeof(msg)), SX_OK);
    CHECK_INT(t.n, 2);
    tk_table_fini(&t);
    CHECK_INT(tk_table_parse(&t, "a=1,b", msg, sizeof(msg)), SX_ERR);
    CHECK(strstr(msg, "'b'") != NULL);
    CHECK_INT(tk_table_parse(&t, "=x", msg, sizeof(msg)), SX_ERR);
    CHECK_INT(tk_table_parse(&t, "a=", msg, sizeof(msg)), SX_ERR);
}

static void
test_http_values(void)
{
    CHECK(tk_ctype_json("application/json"));
    CHECK(tk_ctype_json("Application/JSON; charset=utf-8"));
    CHECK(tk_ctype_json("application/problem+json"));
    CHECK(!tk_ctype_json("application/jsonp"));
    CHECK(!tk_ctype_json("text/plain"));
    CHECK(!tk_ctype_json(NULL));
    CHECK_STR(tk_status_text(404), "Not Found");
    CHECK_STR(tk_status_text(299), "");
    sx_arena_t *a = sx_arena_new(0);
    CHECK_STR(val_json_str(a, tk_body_val(a, "{\"a\":1}", 7, true), NULL), "{\"a\":1}");
    CHECK_STR(val_json_str(a, tk_body_val(a, "{\"a\":1}", 7, false), NULL), "\"{\\\"a\\\":1}\"");
    CHECK_STR(val_json_str(a, tk_body_val(a, "{bad", 4, true), NULL), "\"{bad\"");
    CHECK_STR(val_json_str(a, tk_body_val(a, NULL, 0, true), NULL), "\"\"");
    sx_arena_free(a);
}

static void
hline(tk_req_t *q, const char *line)
{
    CHECK_INT(tk_req_header_line(q, line, strlen(line)), strlen(line));
}

static void
test_header_lines(void)
{
    tk_req_t *q = sx_calloc(1, sizeof(*q));
    hline(q, "HTTP/1.1 100 Continue\r\n");
    hline(q, "X-Early: 1\r\n");
    hline(q, "\r\n");
    hline(q, "HTTP/1.1 404 Not Found\r\n");
    hline(q, "Content-Type:  application/json \r\n");
    hline(q, "X-A: 1\r\n");
    hline(q, "X-A: 2\r\n");
    hline(q, ":junk\r\n");
    hline(q, "junk\r\n");
    CHECK_INT(tk_req_header_line(q, "X-Nul: a\0b\r\n", 11), 11); /* fuzz finding: ignored */
    hline(q, "\r\n");
    CHECK_INT(q->status, 404);
    CHECK_STR(q->reason, "Not Found");
    CHECK_INT(q->nhdrs, 3); /* the 100 block was dropped */
    CHECK_STR(tk_req_hdr(q, "content-type"), "application/json");
    CHECK(tk_req_hdr(q, "X-Early") == NULL && tk_req_hdr(q, "X-Nul") == NULL);
    sx_arena_t *a = sx_arena_new(0);
    CHECK_STR(val_json_str(a, tk_hdrs_val(a, q, true, true), NULL),
              "{\"content-type\":[\"application/json\"],\"x-a\":[\"1\",\"2\"]}");
    CHECK_STR(val_json_str(a, tk_hdrs_val(a, q, false, false), NULL),
              "{\"Content-Type\":\"application/json\",\"X-A\":\"2\"}");
    sx_arena_free(a);
    /* fuzz finding: a long status must not overflow; three digits are the code */
    hline(q, "HTTP/1. 77777777777777777777777777777777777777777OK\r\n");
    CHECK_INT(q->status, 777);
    hline(q, "HTTP/2 204\r\n");
    CHECK_INT(q->status, 204);
    CHECK_STR(q->reason, "");
    CHECK_INT(q->nhdrs, 0);
    tk_req_discard(q);
}

static void
test_config(void)
{
    tk_config_t c;
    tk_config_init(&c);
    CHECK_INT(c.http_timeout_ms, 60000);
    CHECK_INT(c.max_response, 262144);
    CHECK(c.tls_verify);
    CHECK_STR(c.bus_stream_prefix, "stepx:bus:");
    CHECK_STR(c.region, "us-east-1");
    cfg_section_t sec = {tk_conf_directives, &c};
    cfg_err_t err;
    const char *text = "lambda_functions f=http://127.0.0.1:9000/x\nhttp_timeout 2s\n";
    CHECK_INT(cfg_text_load(&sec, 1, "t.conf", text, strlen(text), &err), SX_OK);
    CHECK_INT(c.http_timeout_ms, 2000);
    CHECK_STR(c.lambda_functions, "f=http://127.0.0.1:9000/x");
    text = "event_buses nope\n";
    CHECK_INT(cfg_text_load(&sec, 1, "t.conf", text, strlen(text), &err), SX_ERR);
    tk_config_fini(&c);
}

/* tk_body_val_sized's bound is never below the value's compact JSON size (the engine
 * trusts it for the payload limit), and is exact for plain compact bodies. */
static void
test_body_bound(void)
{
    static const struct {
        const char *body;
        bool json;
    } cases[] = {
        {"{\"a\":1}", true},
        {"{ \"a\" : [ 1 , 2 ] }", true},
        {"[1e20,1E5,2e-3,-1.5e+300,0.1e1]", true},
        {"1e20", true},
        {"[\"\\u00e9\\/\\n\\u0001\\\"\",\"2e5 in text\"]", true},
        {"\"\\ud83d\\ude00\"", true},
        {"not json {", true},
        {"plain \"quoted\" \\ text\x01\x1f", false},
        {"caf\xc3\xa9 and bad \xff\xfe bytes", false},
        {"", false},
        {"", true},
    };
    sx_arena_t *a = sx_arena_new(4096);
    for (size_t i = 0; i < SX_ARRAY_LEN(cases); i++) {
        size_t bound = 0, n = strlen(cases[i].body);
        const val_t *v = tk_body_val_sized(a, cases[i].body, n, cases[i].json, &bound);
        size_t real = val_json_len(v);
        if (bound < real)
            fprintf(stderr, "  case %zu: bound %zu < %zu\n", i, bound, real);
        CHECK(bound >= real);
    }
    size_t b;
    const val_t *v = tk_body_val_sized(a, "{\"a\":[1,\"x\"]}", 13, true, &b);
    CHECK_INT(b, val_json_len(v));
    /* a wrapper: measured with a null placeholder, then the inner bound added */
    val_objb_t ob;
    val_objb_init(&ob, a, 2);
    val_objb_sets(&ob, "Code", val_num(a, 200));
    val_objb_sets(&ob, "Body", val_null());
    const val_t *skel = val_objb_done(&ob);
    val_objb_init(&ob, a, 2);
    val_objb_sets(&ob, "Code", val_num(a, 200));
    val_objb_sets(&ob, "Body", v);
    CHECK_INT(tk_wrap_bound(skel, b), val_json_len(val_objb_done(&ob)));
    sx_arena_free(a);
}

static const sx_test_t tests[] = {{"map", test_map},
                                  {"body_bound", test_body_bound},
                                  {"form", test_form},
                                  {"table", test_table},
                                  {"http_values", test_http_values},
                                  {"header_lines", test_header_lines},
                                  {"config", test_config},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    return sx_test_main("task_util", tests, argc, argv);
}

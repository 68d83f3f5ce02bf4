/*
 * test_rs_event.c: the parts of the stream layer that need no Redis: billing rounding,
 * status names, MessagePack -> JSON, the commit script's identity, the directive table.
 */
#include <string.h>

#include "../sx_test.h"
#include "stepx/stream.h"
#include "stream/rs_int.h"

static void
test_billing(void)
{
    CHECK_INT(rs_billed_ms(0), 100);
    CHECK_INT(rs_billed_ms(1), 100);
    CHECK_INT(rs_billed_ms(100), 100);
    CHECK_INT(rs_billed_ms(101), 200);
    CHECK_INT(rs_billed_ms(10000), 10000);
    CHECK_INT(rs_billed_mb(0), 64);
    CHECK_INT(rs_billed_mb(64), 64);
    CHECK_INT(rs_billed_mb(65), 128);
    CHECK_INT(rs_billed_mb(63), 64);
    CHECK_STR(rs_status_name(RS_SUCCEEDED), "SUCCEEDED");
    CHECK_STR(rs_status_name(RS_TIMED_OUT), "TIMED_OUT");
    CHECK_STR(rs_status_name(RS_ABORTED), "ABORTED");
    CHECK_STR(rs_status_name(RS_FAILED), "FAILED");
}

static int
mp(const char *bytes, size_t n, const char *want)
{
    sx_sbuf_t out = SX_SBUF_INIT;
    char msg[128] = "";
    int rc = rs_msgpack_to_json(bytes, n, &out, msg, sizeof(msg));
    if (rc == SX_OK && want != NULL && strcmp(out.p, want) != 0) {
        fprintf(stderr, "  got %s want %s\n", out.p, want);
        rc = SX_DECLINED;
    }
    if (rc == SX_ERR && want != NULL)
        fprintf(stderr, "  error %s\n", msg);
    sx_sbuf_fini(&out);
    return rc;
}

static void
test_msgpack_to_json(void)
{
    /* {"a":1,"b":[true,null,-2,1.5],"c":"x\"y"} */
    const char m1[] = "\x83\xa1"
                      "a\x01\xa1"
                      "b\x94\xc3\xc0\xfe\xcb\x3f\xf8\x00\x00\x00\x00\x00"
                      "\x00\xa1"
                      "c\xa3x\"y";
    CHECK_INT(mp(m1, sizeof(m1) - 1, "{\"a\":1,\"b\":[true,null,-2,1.5],\"c\":\"x\\\"y\"}"), SX_OK);
    CHECK_INT(mp("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "18446744073709551615"), SX_OK);
    CHECK_INT(mp("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9, "-9223372036854775808"), SX_OK);
    CHECK_INT(mp("\xca\x3f\x80\x00\x00", 5, "1"), SX_OK); /* float32 1.0 */
    CHECK_INT(mp("\x90", 1, "[]"), SX_OK);
    CHECK_INT(mp("\x80", 1, "{}"), SX_OK);
    CHECK_INT(mp("\xa2\xc3\xa9", 3, "\"\xc3\xa9\""), SX_OK); /* "é" */
    CHECK_INT(mp("\xc1", 1, NULL), SX_ERR);                  /* never used byte */
    CHECK_INT(mp("\x92\x01", 2, NULL), SX_ERR);              /* truncated */
    CHECK_INT(mp("\x01\x02", 2, NULL), SX_ERR);              /* trailing bytes */
    CHECK_INT(mp("\x81\x01\x02", 3, NULL), SX_ERR);          /* integer map key */
    CHECK_INT(mp("\xc4\x01x", 3, "\"x\""), SX_OK);           /* bin reads as a string (val rules) */
    CHECK_INT(mp("\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00", 9, NULL), SX_ERR); /* Infinity */
    /* nesting deeper than the JSON parser allows */
    char deep[600];
    memset(deep, '\x91', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\x01';
    CHECK_INT(mp(deep, sizeof(deep), NULL), SX_ERR);
    /* a failed conversion leaves the buffer as it was */
    sx_sbuf_t out = SX_SBUF_INIT;
    char msg[64];
    sx_sbuf_adds(&out, "keep");
    CHECK_INT(rs_msgpack_to_json("\x92\x01", 2, &out, msg, sizeof(msg)), SX_ERR);
    CHECK_STR(out.p, "keep");
    sx_sbuf_fini(&out);
}

static void
test_conf_table(void)
{
    rs_conf_t cf;
    cfg_err_t err;
    cfg_section_t sec = {rs_conf_directives, &cf};
    memset(&cf, 0, sizeof(cf));
    CHECK_INT(cfg_defaults_apply(&sec, 1, &err), SX_OK);
    CHECK_STR(cf.redis_host, "127.0.0.1");
    CHECK_INT(cf.redis_port, 6379);
    CHECK_STR(cf.redis_tag, "stepx");
    CHECK_INT(cf.read_count, 256);
    CHECK_INT(cf.max_input, 262144);
    CHECK_INT(cf.cmd_timeout_ms, 5000);
    CHECK(cf.check_eviction);
    CHECK(cf.consumer == NULL);
    CHECK_INT(cfg_set(&sec, 1, "t", "redis_tag", 9, "a{b", &err), SX_ERR);
    CHECK_STR(err.msg, "t: redis_tag: must be non-empty, without spaces or braces");
    /* conf/stepxd.conf against all four tables: tests/unit/worker/test_wk_conf.c */
    cfg_sections_fini(&sec, 1);
}

static void
test_resp_build(void)
{
    char num[24];
    sx_sbuf_t b = SX_SBUF_INIT;
    num[rs_u64_fmt(0, num)] = '\0';
    CHECK_STR(num, "0");
    num[rs_u64_fmt(18446744073709551615ULL, num)] = '\0';
    CHECK_STR(num, "18446744073709551615");
    num[rs_u64_fmt(1000, num)] = '\0';
    CHECK_STR(num, "1000");
    rs_resp_head(&b, 3);
    rs_resp_arg(&b, "SET", 3);
    rs_resp_arg(&b, "", 0);
    rs_resp_arg(&b, "a\r\nb", 4);
    CHECK_STR(b.p, "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n");
    CHECK_INT(b.len, strlen(b.p));
    sx_sbuf_fini(&b);
    /* the scripts' SHA1 is what Redis computes (SCRIPT LOAD answers the same; e2e checks
     * EVALSHA works), here only its form */
    CHECK_INT(strlen(rs_commit_sha()), 40);
    char sha[41];
    rs_sha1_hex("abc", 3, sha);
    CHECK_STR(sha, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static const sx_test_t tests[] = {{"resp_build", test_resp_build},
                                  {"billing", test_billing},
                                  {"msgpack_to_json", test_msgpack_to_json},
                                  {"conf_table", test_conf_table},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    return sx_test_main("rs_event", tests, argc, argv);
}

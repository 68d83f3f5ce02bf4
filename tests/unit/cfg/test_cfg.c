/*
 * test_cfg.c: directive tables, file parsing, flags and their precedence.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stepx/cfg.h"
#include "../sx_test.h"

typedef struct tconf {
    char *host;
    int64_t port;
    bool verbose;
    int64_t timeout_ms;
    int64_t max_input;
    char *name;
} tconf_t;

static int
check_not_empty(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    SX_UNUSED(d);
    if (**(char *const *)field == '\0') {
        snprintf(msg, len, "must not be empty");
        return SX_ERR;
    }
    return SX_OK;
}

static const cfg_directive_t tdirs[] = {
    {"host", CFG_STR, offsetof(tconf_t, host), "127.0.0.1", check_not_empty, 0, 0, "host"},
    {"port", CFG_INT, offsetof(tconf_t, port), "6379", NULL, 1, 65535, "port"},
    {"verbose", CFG_BOOL, offsetof(tconf_t, verbose), "off", NULL, 0, 0, "chatty"},
    {"timeout", CFG_MS, offsetof(tconf_t, timeout_ms), "2s", NULL, 1, 3600000, "timeout"},
    {"max_input", CFG_SIZE, offsetof(tconf_t, max_input), "256k", NULL, 0, 0, "limit"},
    {"name", CFG_STR, offsetof(tconf_t, name), NULL, NULL, 0, 0, "name"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL}};

static tconf_t tc;
static const cfg_section_t secs[] = {{tdirs, &tc}};

static int
load_text(const char *text, cfg_err_t *err)
{
    if (cfg_defaults_apply(secs, 1, err) != SX_OK)
        return SX_ERR;
    return cfg_text_load(secs, 1, "t.conf", text, strlen(text), err);
}

static void
test_defaults(void)
{
    cfg_err_t err;
    CHECK_INT(cfg_defaults_apply(secs, 1, &err), SX_OK);
    CHECK_STR(tc.host, "127.0.0.1");
    CHECK_INT(tc.port, 6379);
    CHECK(!tc.verbose);
    CHECK_INT(tc.timeout_ms, 2000);
    CHECK_INT(tc.max_input, 262144);
    CHECK(tc.name == NULL);
    cfg_sections_fini(secs, 1);
    CHECK(tc.host == NULL);
}

static void
test_units(void)
{
    int64_t v = 0;
    bool b = false;
    CHECK_INT(cfg_ms_parse("250", &v), SX_OK);
    CHECK_INT(v, 250);
    CHECK_INT(cfg_ms_parse("250ms", &v), SX_OK);
    CHECK_INT(v, 250);
    CHECK_INT(cfg_ms_parse("3m", &v), SX_OK);
    CHECK_INT(v, 180000);
    CHECK_INT(cfg_ms_parse("1h", &v), SX_OK);
    CHECK_INT(v, 3600000);
    CHECK_INT(cfg_ms_parse("2x", &v), SX_ERR);
    CHECK_INT(cfg_ms_parse("", &v), SX_ERR);
    CHECK_INT(cfg_ms_parse(" 2", &v), SX_ERR);
    CHECK_INT(cfg_size_parse("1g", &v), SX_OK);
    CHECK_INT(v, 1073741824);
    CHECK_INT(cfg_size_parse("64KB", &v), SX_OK);
    CHECK_INT(v, 65536);
    CHECK_INT(cfg_size_parse("99999999999999g", &v), SX_ERR);
    CHECK_INT(cfg_bool_parse("Yes", &b), SX_OK);
    CHECK(b);
    CHECK_INT(cfg_bool_parse("off", &b), SX_OK);
    CHECK(!b);
    CHECK_INT(cfg_bool_parse("maybe", &b), SX_ERR);
}

static void
test_file(void)
{
    cfg_err_t err;
    const char *text = "# comment\n"
                       "\n"
                       "host   redis.local   # trailing comment\n"
                       "port 7000\n"
                       "  verbose yes\n"
                       "timeout 150ms\n"
                       "name \"a b # c\"\n"
                       "max_input 1m";
    CHECK_INT(load_text(text, &err), SX_OK);
    CHECK_STR(tc.host, "redis.local");
    CHECK_INT(tc.port, 7000);
    CHECK(tc.verbose);
    CHECK_INT(tc.timeout_ms, 150);
    CHECK_STR(tc.name, "a b # c");
    CHECK_INT(tc.max_input, 1048576);
    cfg_sections_fini(secs, 1);
}

static void
test_file_errors(void)
{
    cfg_err_t err;
    CHECK_INT(load_text("port 7000\nbogus 1\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:2: unknown directive 'bogus'");
    CHECK_INT(load_text("port 70000\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:1: port: 70000 out of range [1, 65535]");
    CHECK_INT(load_text("\n\nport\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:3: directive 'port' has no value");
    CHECK_INT(load_text("port 1\nport 2\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:2: duplicate directive 'port'");
    CHECK_INT(load_text("verbose maybe\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:1: verbose: invalid bool 'maybe' (want on/off)");
    CHECK_INT(load_text("host \"\"\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:1: host: must not be empty");
    CHECK_STR(tc.host, "127.0.0.1"); /* a failed set leaves the field alone */
    CHECK_INT(load_text("name \"abc\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:1: unterminated or bad quoted value");
    CHECK_INT(load_text("timeout 5 s\n", &err), SX_ERR);
    CHECK_STR(err.msg, "t.conf:1: timeout: invalid duration '5 s'");
    cfg_sections_fini(secs, 1);
}

static void
test_flags_override_file(void)
{
    cfg_err_t err;
    char path[] = "/tmp/sx_cfg_testXXXXXX";
    int fd = mkstemp(path);
    const char *text = "port 7000\nhost filehost\n";
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    char *argv[] = {"prog",           "--port",    "7001", "--config", path,
                    "--max-input=2k", "--verbose", "on",   NULL};
    CHECK_INT(cfg_load(secs, 1, 8, argv, &err), SX_OK);
    CHECK_INT(tc.port, 7001);
    CHECK_STR(tc.host, "filehost");
    CHECK_INT(tc.max_input, 2048);
    CHECK(tc.verbose);
    char *bad[] = {"prog", "--config", path, "--nope", "1", NULL};
    CHECK_INT(cfg_load(secs, 1, 5, bad, &err), SX_ERR);
    CHECK_STR(err.msg, "--nope: unknown directive 'nope'");
    char *miss[] = {"prog", "--port", NULL};
    CHECK_INT(cfg_load(secs, 1, 2, miss, &err), SX_ERR);
    CHECK_STR(err.msg, "--port: missing value");
    char *nofile[] = {"prog", "--config", "/nonexistent/x.conf", NULL};
    CHECK_INT(cfg_load(secs, 1, 3, nofile, &err), SX_ERR);
    CHECK(strncmp(err.msg, "/nonexistent/x.conf: cannot read", 32) == 0);
    unlink(path);
    cfg_sections_fini(secs, 1);
}

static void
test_usage(void)
{
    char buf[2048] = {0};
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    cfg_usage_print(secs, 1, f);
    fclose(f);
    CHECK(strstr(buf, "--max-input") != NULL);
    CHECK(strstr(buf, "(default: 256k)") != NULL);
}

static const sx_test_t tests[] = {{"defaults", test_defaults},
                                  {"units", test_units},
                                  {"file", test_file},
                                  {"file_errors", test_file_errors},
                                  {"flags_override_file", test_flags_override_file},
                                  {"usage", test_usage},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    return sx_test_main("cfg", tests, argc, argv);
}

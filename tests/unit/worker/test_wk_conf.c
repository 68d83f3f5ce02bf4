/*
 * test_wk_conf.c: conf/stepxd.conf is the complete configuration of stepxd. It names every
 * key of the four directive tables stepxd loads (server, Redis streams, Task integrations,
 * execution logs), either as a setting or, for keys without a default, as a commented-out
 * example; loaded into zeroed structs it gives exactly the tables' built-in defaults. Also
 * a few defaults of the server table itself.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sx_test.h"
#include "stepx/cfg.h"
#include "stepx/log.h"
#include "stepx/stream.h"
#include "stepx/task.h"
#include "stepx/worker.h"

#define CONF_PATH "conf/stepxd.conf"

typedef struct confs {
    wk_conf_t wc;
    rs_conf_t rc;
    tk_config_t tc;
    log_conf_t lc;
    cfg_section_t secs[4];
} confs_t;

static void
confs_init(confs_t *c)
{
    memset(c, 0, sizeof(*c));
    c->secs[0] = (cfg_section_t){wk_conf_directives, &c->wc};
    c->secs[1] = (cfg_section_t){rs_conf_directives, &c->rc};
    c->secs[2] = (cfg_section_t){tk_conf_directives, &c->tc};
    c->secs[3] = (cfg_section_t){log_conf_directives, &c->lc};
}

static bool
field_same(const cfg_directive_t *d, const void *base_a, const void *base_b)
{
    const char *a = (const char *)base_a + d->offset, *b = (const char *)base_b + d->offset;
    if (d->type == CFG_STR) {
        const char *sa = *(char *const *)a, *sb = *(char *const *)b;
        return sa == NULL ? sb == NULL : sb != NULL && strcmp(sa, sb) == 0;
    }
    if (d->type == CFG_BOOL)
        return *(const bool *)a == *(const bool *)b;
    return *(const int64_t *)a == *(const int64_t *)b;
}

/* Does the file name the key at the start of a line, as "key value" or "# key value"? */
static bool
file_names_key(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *p = line;
        if (*p == '#') {
            p++;
            while (*p == ' ')
                p++;
        }
        if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == '\t'))
            return true;
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return false;
}

static void
test_file_matches_tables(void)
{
    confs_t def, file;
    cfg_err_t err;
    size_t len = 0;
    char *text = NULL;
    CHECK_INT(sx_read_file(CONF_PATH, &text, &len), SX_OK);
    if (text == NULL)
        return;
    confs_init(&def);
    confs_init(&file);
    CHECK_INT(cfg_defaults_apply(def.secs, 4, &err), SX_OK);
    CHECK_INT(cfg_file_load(file.secs, 4, CONF_PATH, &err), SX_OK);
    int nkeys = 0;
    for (int s = 0; s < 4; s++) {
        for (const cfg_directive_t *d = def.secs[s].dirs; d->name; d++, nkeys++) {
            bool named = file_names_key(text, d->name);
            bool same = field_same(d, def.secs[s].conf, file.secs[s].conf);
            if (!named)
                fprintf(stderr, "  %s does not name %s\n", CONF_PATH, d->name);
            if (!same)
                fprintf(stderr, "  %s differs from the default at %s\n", CONF_PATH, d->name);
            CHECK(named);
            CHECK(same);
            /* a key without a default can only be named as a comment */
            if (d->dflt == NULL)
                CHECK(d->type == CFG_STR);
        }
    }
    CHECK(nkeys >= 59); /* 12 server + 29 stream + 14 task + 4 log keys today */
    cfg_sections_fini(file.secs, 4);
    cfg_sections_fini(def.secs, 4);
    sx_free(text);
}

/* The check above can fail: a file with one changed value or one missing key is caught. */
static void
test_checker_catches(void)
{
    CHECK(file_names_key("a 1\n# bb 2\n", "bb"));
    CHECK(file_names_key("a 1\nbb\t2\n", "bb"));
    CHECK(!file_names_key("a 1\nbbb 2\n", "bb"));
    CHECK(!file_names_key("a 1\n# x bb 2\n", "bb"));
    confs_t a, b;
    cfg_err_t err;
    confs_init(&a);
    confs_init(&b);
    CHECK_INT(cfg_defaults_apply(a.secs, 4, &err), SX_OK);
    CHECK_INT(cfg_defaults_apply(b.secs, 4, &err), SX_OK);
    CHECK_INT(cfg_set(b.secs, 4, "t", "max_executions", 14, "7", &err), SX_OK);
    CHECK_INT(cfg_set(b.secs, 4, "t", "log_stream", 10, "other", &err), SX_OK);
    int diffs = 0;
    for (int s = 0; s < 4; s++)
        for (const cfg_directive_t *d = a.secs[s].dirs; d->name; d++)
            diffs += !field_same(d, a.secs[s].conf, b.secs[s].conf);
    CHECK_INT(diffs, 2);
    CHECK_INT(a.wc.max_executions, 512);
    CHECK_INT(a.wc.reload_interval_ms, 2000);
    CHECK_INT(a.wc.jsonata_time_ms, 1000);
    CHECK(a.wc.machines_registry);
    CHECK_STR(a.wc.log_level, "info");
    CHECK_INT(cfg_set(a.secs, 4, "t", "log_level", 9, "debug", &err), SX_ERR);
    cfg_sections_fini(b.secs, 4);
    cfg_sections_fini(a.secs, 4);
}

static const sx_test_t tests[] = {{"file_matches_tables", test_file_matches_tables},
                                  {"checker_catches", test_checker_catches},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    return sx_test_main("wk_conf", tests, argc, argv);
}

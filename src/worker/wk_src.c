/*
 * wk_src.c: where machine definitions come from: a directory of NAME.asl.json files with
 * optional NAME.meta.json sidecars, and the Redis registry hash {tag}:machines.
 *
 * A source set owns copies of every string, so the reader's buffers (a file, a hiredis
 * reply) can go away before the table is built. Names follow AWS's rule for state machine
 * names (1..80 characters); files whose name does not fit are skipped with a log line.
 * Change detection for the directory is a fingerprint of names, sizes and mtimes (ns), so a
 * poll costs one readdir and a few stats and reloads only when something moved.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wk_int.h"

#define DEF_SUFFIX ".asl.json"
#define META_SUFFIX ".meta.json"

void
wk_srcset_init(wk_srcset_t *s)
{
    memset(s, 0, sizeof(*s));
}

static void
src_fini(wk_src_t *e)
{
    sx_free((char *)e->name);
    sx_free((char *)e->def);
    sx_free((char *)e->meta);
    sx_free((char *)e->origin);
}

void
wk_srcset_fini(wk_srcset_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        src_fini(&s->v[i]);
    sx_free(s->v);
    memset(s, 0, sizeof(*s));
}

void
wk_srcset_add(wk_srcset_t *s, const wk_src_t *src)
{
    wk_src_t *e = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, src->name) == 0) {
            e = &s->v[i];
            src_fini(e);
            break;
        }
    if (e == NULL) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 16;
            s->v = sx_realloc(s->v, s->cap * sizeof(*s->v));
        }
        e = &s->v[s->n++];
    }
    e->name = sx_strdup(src->name);
    e->def = sx_strndup(src->def, src->def_len);
    e->def_len = src->def_len;
    e->meta = src->meta ? sx_strndup(src->meta, src->meta_len) : NULL;
    e->meta_len = src->meta ? src->meta_len : 0;
    e->origin = sx_strdup(src->origin ? src->origin : "?");
}

static bool
has_suffix(const char *s, size_t n, const char *suf, size_t sn)
{
    return n > sn && memcmp(s + n - sn, suf, sn) == 0;
}

uint64_t
wk_dir_stamp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    uint64_t h = 0, acc = 0;
    char path[4096];
    struct stat st;
    if (d == NULL)
        return 0;
    /* order-independent: sum of per-file hashes */
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (!has_suffix(de->d_name, n, DEF_SUFFIX, 9) &&
            !has_suffix(de->d_name, n, META_SUFFIX, 10))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        h = wk_hash(de->d_name, n, 0);
        h = wk_hash(&st.st_size, sizeof(st.st_size), h);
        h = wk_hash(&st.st_mtim, sizeof(st.st_mtim), h);
        acc += h;
    }
    closedir(d);
    return acc ? acc : 1;
}

static void
logs(wk_log_fn log, int level, const char *fmt, const char *a)
{
    char msg[4200];
    if (log == NULL)
        return;
    snprintf(msg, sizeof(msg), fmt, a);
    log(level, msg);
}

/* Reads dir/NAME.asl.json (+ sidecar) into s. */
static void
dir_add_one(const char *dir, const char *fname, size_t flen, wk_srcset_t *s, wk_log_fn log)
{
    char path[4096], name[RS_NAME_MAX + 1], origin[4200];
    size_t nlen = flen - (sizeof(DEF_SUFFIX) - 1);
    wk_src_t src = {0};
    char *def = NULL, *meta = NULL;
    size_t dlen = 0, mlen = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, fname);
    if (nlen > RS_NAME_MAX) {
        logs(log, RS_LOG_WARN, "%s: machine names have at most 80 characters; skipped", path);
        return;
    }
    memcpy(name, fname, nlen);
    name[nlen] = '\0';
    if (sx_read_file(path, &def, &dlen) != SX_OK) {
        logs(log, RS_LOG_WARN, "%s: cannot read; skipped", path);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s%s", dir, name, META_SUFFIX);
    if (sx_read_file(path, &meta, &mlen) != SX_OK)
        meta = NULL;
    snprintf(origin, sizeof(origin), "file:%s/%s", dir, fname);
    src.name = name;
    src.def = def;
    src.def_len = dlen;
    src.meta = meta;
    src.meta_len = mlen;
    src.origin = origin;
    wk_srcset_add(s, &src);
    sx_free(def);
    sx_free(meta);
}

int
wk_dir_read(const char *dir, wk_srcset_t *s, wk_log_fn log, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL) {
        snprintf(err, errlen, "machines_dir %s: cannot open", dir);
        return SX_ERR;
    }
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (has_suffix(de->d_name, n, DEF_SUFFIX, sizeof(DEF_SUFFIX) - 1))
            dir_add_one(dir, de->d_name, n, s, log);
    }
    closedir(d);
    s->stamp = wk_dir_stamp(dir);
    return SX_OK;
}

int
wk_registry_add(wk_srcset_t *s, const char *name, size_t nlen, const char *json, size_t len,
                const char *origin, char *err, size_t errlen)
{
    sx_arena_t *a = sx_arena_new(2 * len + 256);
    const val_t *v, *def;
    val_json_err_t jerr;
    wk_src_t src = {0};
    sx_sbuf_t meta = SX_SBUF_INIT;
    int rc = SX_ERR;
    if (nlen == 0 || nlen > RS_NAME_MAX) {
        snprintf(err, errlen, "machine names have 1..80 characters");
        goto out;
    }
    if (val_json_parse(a, json, len, &v, &jerr) != SX_OK || !val_is(v, VAL_OBJ)) {
        snprintf(err, errlen, "registry entry is not a JSON object");
        goto out;
    }
    def = val_obj_gets(v, "definition");
    if (def == NULL || (!val_is(def, VAL_STR) && !val_is(def, VAL_OBJ))) {
        snprintf(err, errlen, "registry entry has no definition (object or JSON text)");
        goto out;
    }
    /* metadata = the entry without its definition */
    val_json_print(&meta, val_obj_without(a, v, "definition", 10));
    src.name = sx_arena_strndup(a, name, nlen);
    if (val_is(def, VAL_STR)) {
        src.def = val_str_get(def);
        src.def_len = val_len(def);
    } else {
        src.def = val_json_str(a, def, &src.def_len);
    }
    src.meta = meta.p;
    src.meta_len = meta.len;
    src.origin = origin;
    wk_srcset_add(s, &src);
    rc = SX_OK;
out:
    sx_sbuf_fini(&meta);
    sx_arena_free(a);
    return rc;
}

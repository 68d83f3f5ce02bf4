/*
 * cfg.c: directive tables, the config file parser and command-line flags (see cfg.h).
 *
 * Design: every value, wherever it comes from (table default, file line, flag), goes through
 * one function, set_value(), which parses the text by the directive's type, checks bounds and
 * the directive's check hook, and only then stores it. A failed set leaves the field as it
 * was. The file parser is a line scanner: it splits `key value`, strips comments and handles
 * one optional double-quoted value; it knows nothing about types.
 * Invariant: STR fields are either NULL or a heap string this module allocated, so
 * cfg_sections_fini can free them.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/cfg.h"

static const char *const type_names[] = {"string", "int", "bool", "duration", "size"};

static void
err_printf(cfg_err_t *err, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

/* ---- value parsers ---- */

/* Parses a decimal integer with an optional suffix from units[] (name, multiplier). */
typedef struct unit {
    const char *name;
    int64_t mult;
} unit_t;

static int
num_with_unit(const char *s, const unit_t *units, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return SX_ERR;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s)
        return SX_ERR;
    if (*end == '\0') {
        *out = v;
        return SX_OK;
    }
    for (const unit_t *u = units; u->name != NULL; u++) {
        if (strcasecmp(end, u->name) == 0) {
            if (v > INT64_MAX / u->mult || v < INT64_MIN / u->mult)
                return SX_ERR;
            *out = v * u->mult;
            return SX_OK;
        }
    }
    return SX_ERR;
}

int
cfg_ms_parse(const char *s, int64_t *out)
{
    static const unit_t units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {NULL, 0}};
    return num_with_unit(s, units, out);
}

int
cfg_size_parse(const char *s, int64_t *out)
{
    static const unit_t units[] = {{"b", 1},
                                   {"k", 1024},
                                   {"kb", 1024},
                                   {"m", 1024 * 1024},
                                   {"mb", 1024 * 1024},
                                   {"g", 1024LL * 1024 * 1024},
                                   {"gb", 1024LL * 1024 * 1024},
                                   {NULL, 0}};
    return num_with_unit(s, units, out);
}

int
cfg_bool_parse(const char *s, bool *out)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; i < SX_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return SX_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return SX_OK;
        }
    }
    return SX_ERR;
}

/* ---- setting one field ---- */

static int
parse_int64(const cfg_directive_t *d, const char *v, int64_t *out, char *msg, size_t len)
{
    int rc;
    switch (d->type) {
    case CFG_MS:
        rc = cfg_ms_parse(v, out);
        break;
    case CFG_SIZE:
        rc = cfg_size_parse(v, out);
        break;
    default:
        rc = num_with_unit(v, (const unit_t[]){{NULL, 0}}, out);
        break;
    }
    if (rc != SX_OK) {
        snprintf(msg, len, "invalid %s '%s'", type_names[d->type], v);
        return SX_ERR;
    }
    if ((d->min != 0 || d->max != 0) && (*out < d->min || *out > d->max)) {
        snprintf(msg, len, "%s out of range [%" PRId64 ", %" PRId64 "]", v, d->min, d->max);
        return SX_ERR;
    }
    return SX_OK;
}

/* Parses v by d's type into a temporary, runs the check hook, then stores it. */
static int
set_value(const cfg_directive_t *d, void *conf, const char *v, char *msg, size_t len)
{
    char *field = (char *)conf + d->offset;
    int64_t i64 = 0;
    bool b = false;
    char *str = NULL;
    const void *tmp;

    switch (d->type) {
    case CFG_STR:
        str = sx_strdup(v);
        tmp = &str;
        break;
    case CFG_BOOL:
        if (cfg_bool_parse(v, &b) != SX_OK) {
            snprintf(msg, len, "invalid bool '%s' (want on/off)", v);
            return SX_ERR;
        }
        tmp = &b;
        break;
    default:
        if (parse_int64(d, v, &i64, msg, len) != SX_OK)
            return SX_ERR;
        tmp = &i64;
        break;
    }
    if (d->check != NULL && d->check(d, tmp, msg, len) != SX_OK) {
        sx_free(str);
        return SX_ERR;
    }
    switch (d->type) {
    case CFG_STR:
        sx_free(*(char **)field);
        *(char **)field = str;
        break;
    case CFG_BOOL:
        *(bool *)field = b;
        break;
    default:
        *(int64_t *)field = i64;
        break;
    }
    return SX_OK;
}

/* Finds key (length keylen; '-' matches '_' when dash_ok) in the sections. */
static const cfg_directive_t *
find(const cfg_section_t *secs, size_t n, const char *key, size_t keylen, bool dash_ok, void **conf)
{
    for (size_t s = 0; s < n; s++) {
        for (const cfg_directive_t *d = secs[s].dirs; d->name != NULL; d++) {
            size_t i;
            if (strlen(d->name) != keylen)
                continue;
            for (i = 0; i < keylen; i++) {
                char c = key[i];
                if (dash_ok && c == '-')
                    c = '_';
                if (c != d->name[i])
                    break;
            }
            if (i == keylen) {
                *conf = secs[s].conf;
                return d;
            }
        }
    }
    return NULL;
}

int
cfg_defaults_apply(const cfg_section_t *secs, size_t n, cfg_err_t *err)
{
    char msg[256];
    for (size_t s = 0; s < n; s++) {
        for (const cfg_directive_t *d = secs[s].dirs; d->name != NULL; d++) {
            char *field = (char *)secs[s].conf + d->offset;
            if (d->dflt == NULL) {
                if (d->type == CFG_STR) {
                    sx_free(*(char **)field);
                    *(char **)field = NULL;
                } else if (d->type == CFG_BOOL) {
                    *(bool *)field = false;
                } else {
                    *(int64_t *)field = 0;
                }
                continue;
            }
            if (set_value(d, secs[s].conf, d->dflt, msg, sizeof(msg)) != SX_OK) {
                err_printf(err, "default of %s: %s", d->name, msg);
                return SX_ERR;
            }
        }
    }
    return SX_OK;
}

static int
set_key(const cfg_section_t *secs, size_t n, const char *origin, const char *key, size_t keylen,
        bool dash_ok, const char *value, cfg_err_t *err)
{
    char msg[256];
    void *conf = NULL;
    const cfg_directive_t *d = find(secs, n, key, keylen, dash_ok, &conf);
    if (d == NULL) {
        err_printf(err, "%s: unknown directive '%.*s'", origin, (int)keylen, key);
        return SX_ERR;
    }
    if (set_value(d, conf, value, msg, sizeof(msg)) != SX_OK) {
        err_printf(err, "%s: %s: %s", origin, d->name, msg);
        return SX_ERR;
    }
    return SX_OK;
}

int
cfg_set(const cfg_section_t *secs, size_t n, const char *origin, const char *key, size_t keylen,
        const char *value, cfg_err_t *err)
{
    return set_key(secs, n, origin, key, keylen, true, value, err);
}

/* ---- the file parser ---- */

/* Reads a double-quoted value starting after the opening quote at *pp into out. Returns
 * SX_OK with *pp after the closing quote, or SX_ERR. */
static int
quoted_read(const char **pp, const char *end, sx_sbuf_t *out)
{
    const char *p = *pp;
    while (p < end && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            if (p >= end)
                return SX_ERR;
            c = *p++;
            if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
            else if (c != '"' && c != '\\')
                return SX_ERR;
        }
        sx_sbuf_addc(out, c);
    }
    if (p >= end)
        return SX_ERR;
    *pp = p + 1;
    return SX_OK;
}

/* Splits one line into key and value (value into val) and applies it. seen[] tracks keys
 * already set by this file (by pointer). */
static int
line_apply(const cfg_section_t *secs, size_t n, const char *origin, const char *p, const char *end,
           const cfg_directive_t **seen, size_t *nseen, cfg_err_t *err)
{
    sx_sbuf_t val = SX_SBUF_INIT;
    const char *key, *kend;
    void *conf;
    const cfg_directive_t *d;
    bool have = false;
    int rc = SX_ERR;

    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p == end || *p == '#')
        return SX_OK;
    key = p;
    while (p < end && !isspace((unsigned char)*p))
        p++;
    kend = p;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && *p == '"') {
        p++;
        if (quoted_read(&p, end, &val) != SX_OK) {
            err_printf(err, "%s: unterminated or bad quoted value", origin);
            goto out;
        }
        have = true;
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p < end && *p != '#') {
            err_printf(err, "%s: text after quoted value", origin);
            goto out;
        }
    } else {
        const char *v = p, *vend = p;
        while (p < end && !(*p == '#' && isspace((unsigned char)p[-1]))) {
            if (!isspace((unsigned char)*p))
                vend = p + 1;
            p++;
        }
        sx_sbuf_add(&val, v, (size_t)(vend - v));
        have = vend > v;
    }
    if (!have) {
        err_printf(err, "%s: directive '%.*s' has no value", origin, (int)(kend - key), key);
        goto out;
    }
    sx_sbuf_add(&val, "", 0);
    d = find(secs, n, key, (size_t)(kend - key), false, &conf);
    if (d != NULL) {
        for (size_t i = 0; i < *nseen; i++) {
            if (seen[i] == d) {
                err_printf(err, "%s: duplicate directive '%s'", origin, d->name);
                goto out;
            }
        }
        seen[(*nseen)++] = d;
    }
    rc = set_key(secs, n, origin, key, (size_t)(kend - key), false, val.p, err);
out:
    sx_sbuf_fini(&val);
    return rc;
}

int
cfg_text_load(const cfg_section_t *secs, size_t n, const char *origin, const char *text, size_t len,
              cfg_err_t *err)
{
    size_t total = 0, nseen = 0;
    const cfg_directive_t **seen;
    const char *p = text, *end = text + len;
    char where[300];
    int line = 0, rc = SX_OK;

    for (size_t s = 0; s < n; s++)
        for (const cfg_directive_t *d = secs[s].dirs; d->name != NULL; d++)
            total++;
    seen = sx_calloc(total + 1, sizeof(*seen));
    while (p < end && rc == SX_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *lend = nl ? nl : end;
        line++;
        snprintf(where, sizeof(where), "%s:%d", origin, line);
        if (memchr(p, '\0', (size_t)(lend - p)) != NULL) {
            err_printf(err, "%s: NUL byte in line", where);
            rc = SX_ERR;
            break;
        }
        rc = line_apply(secs, n, where, p, lend, seen, &nseen, err);
        p = nl ? nl + 1 : end;
    }
    sx_free(seen);
    return rc;
}

int
cfg_file_load(const cfg_section_t *secs, size_t n, const char *path, cfg_err_t *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (sx_read_file(path, &text, &len) != SX_OK) {
        err_printf(err, "%s: cannot read: %s", path, strerror(errno));
        return SX_ERR;
    }
    rc = cfg_text_load(secs, n, path, text, len, err);
    sx_free(text);
    return rc;
}

/* ---- flags ---- */

int
cfg_load(const cfg_section_t *secs, size_t n, int argc, char **argv, cfg_err_t *err)
{
    const char *config = NULL;
    if (cfg_defaults_apply(secs, n, err) != SX_OK)
        return SX_ERR;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                err_printf(err, "--config: missing FILE");
                return SX_ERR;
            }
            config = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config = argv[i] + 9;
        }
    }
    if (config != NULL && cfg_file_load(secs, n, config, err) != SX_OK)
        return SX_ERR;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *value;
        char origin[128];
        size_t keylen;
        if (strncmp(a, "--", 2) != 0) {
            err_printf(err, "%s: unexpected argument (flags are --key value)", a);
            return SX_ERR;
        }
        a += 2;
        eq = strchr(a, '=');
        keylen = eq ? (size_t)(eq - a) : strlen(a);
        if (eq != NULL) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc) {
                err_printf(err, "--%s: missing value", a);
                return SX_ERR;
            }
            value = argv[++i];
        }
        if (keylen == 6 && strncmp(a, "config", 6) == 0)
            continue;
        snprintf(origin, sizeof(origin), "--%.*s", (int)keylen, a);
        if (set_key(secs, n, origin, a, keylen, true, value, err) != SX_OK)
            return SX_ERR;
    }
    return SX_OK;
}

void
cfg_sections_fini(const cfg_section_t *secs, size_t n)
{
    for (size_t s = 0; s < n; s++) {
        for (const cfg_directive_t *d = secs[s].dirs; d->name != NULL; d++) {
            if (d->type == CFG_STR) {
                char **f = (char **)((char *)secs[s].conf + d->offset);
                sx_free(*f);
                *f = NULL;
            }
        }
    }
}

void
cfg_usage_print(const cfg_section_t *secs, size_t n, FILE *out)
{
    for (size_t s = 0; s < n; s++) {
        for (const cfg_directive_t *d = secs[s].dirs; d->name != NULL; d++) {
            char flag[96];
            snprintf(flag, sizeof(flag), "--%s", d->name);
            for (char *c = flag + 2; *c; c++)
                if (*c == '_')
                    *c = '-';
            fprintf(out, "  %-28s %-8s %s", flag, type_names[d->type], d->help ? d->help : "");
            if (d->dflt != NULL)
                fprintf(out, " (default: %s)", d->dflt);
            fputc('\n', out);
        }
    }
}

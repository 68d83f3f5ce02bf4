/*
 * cfg.h: configuration as directive tables (nginx's ngx_command_t), a file parser and
 * command-line flags.
 *
 * Each module declares its keys once, in a table of {name, type, offset, default, check}
 * entries describing fields of its own config struct. A program gathers the tables it uses
 * into sections and loads them in three layers, each overriding the previous one:
 *
 *   defaults (the table)  <  config file (--config FILE)  <  --key value flags
 *
 * File format: one directive per line, `key value`; `#` starts a comment (at the start of a
 * line or after whitespace); blank lines are ignored. A value may be double-quoted to keep
 * spaces or `#` ("a b", escapes \" \\ \n \t). A key may appear once per file. Flags are
 * `--key value` or `--key=value`; in flags `-` and `_` in keys are interchangeable.
 * Errors name their origin: "FILE:LINE: unknown directive 'x'" or "--x: ...".
 *
 * Value types: STR (heap string owned by the config, freed by cfg_sections_fini), INT
 * (int64_t, bounded by min/max), BOOL (on/off, yes/no, true/false, 1/0), MS (int64_t
 * milliseconds: 250, 250ms, 2s, 1m, 1h), SIZE (int64_t bytes: 512, 64k, 1m, 1g; powers of
 * 1024). MS and SIZE are bounded by min/max too (0/0 = no bounds).
 */
#ifndef STEPX_CFG_H
#define STEPX_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stepx/sx.h"

typedef enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL, CFG_MS, CFG_SIZE } cfg_type_t;

typedef struct cfg_err {
    char msg[512]; /* "origin: detail" */
} cfg_err_t;

struct cfg_directive;
/* Optional extra validation of a parsed field. Returns SX_OK, or SX_ERR with a detail message
 * in msg (msglen bytes). `field` points at the field inside the config struct. */
typedef int (*cfg_check_fn)(const struct cfg_directive *d, const void *field, char *msg,
                            size_t msglen);

typedef struct cfg_directive {
    const char *name;   /* key, lowercase with '_'; NULL ends a table */
    cfg_type_t type;    /* how the value is parsed and stored */
    size_t offset;      /* offsetof(conf struct, field) */
    const char *dflt;   /* default value as text (parsed like a file value); NULL = unset */
    cfg_check_fn check; /* extra validation or NULL */
    int64_t min, max;   /* bounds for INT/MS/SIZE; min == max == 0 means unbounded */
    const char *help;   /* one line for --help and conf/stepxd.conf */
} cfg_directive_t;

/* A table bound to the struct it fills. */
typedef struct cfg_section {
    const cfg_directive_t *dirs; /* borrowed, NULL-name terminated */
    void *conf;                  /* borrowed; fields are written at dirs[i].offset */
} cfg_section_t;

/* Sets every field of every section to its default (zero / NULL when none). Returns SX_OK
 * or SX_ERR when a default fails to parse (a bug in the table). */
int cfg_defaults_apply(const cfg_section_t *secs, size_t n, cfg_err_t *err);

/* Parses the file at path and applies it. Returns SX_OK, or SX_ERR with "path:line: ...". */
int cfg_file_load(const cfg_section_t *secs, size_t n, const char *path, cfg_err_t *err);

/* Parses text as if it were the file `origin` (for tests and embedded defaults). */
int cfg_text_load(const cfg_section_t *secs, size_t n, const char *origin, const char *text,
                  size_t len, cfg_err_t *err);

/* Sets one key from a flag or an API caller; origin names it in errors. */
int cfg_set(const cfg_section_t *secs, size_t n, const char *origin, const char *key, size_t keylen,
            const char *value, cfg_err_t *err);

/* The whole load: defaults, then the file named by `--config FILE` (or --config=FILE) if any,
 * then every other `--key value` flag in argv[1..argc-1]. `--help` is not handled here.
 * Returns SX_OK or SX_ERR with err filled. */
int cfg_load(const cfg_section_t *secs, size_t n, int argc, char **argv, cfg_err_t *err);

/* Frees the STR fields of every section (sets them to NULL). */
void cfg_sections_fini(const cfg_section_t *secs, size_t n);

/* Prints every directive as `--key <type>  help (default: x)`. */
void cfg_usage_print(const cfg_section_t *secs, size_t n, FILE *out);

/* Parsers used by the loader, public for tests: return SX_OK or SX_ERR. */
int cfg_ms_parse(const char *s, int64_t *out);
int cfg_size_parse(const char *s, int64_t *out);
int cfg_bool_parse(const char *s, bool *out);

#endif

/*
 * asl_validate_map.c: the Map state.
 *
 * Exactly one of ItemProcessor / Iterator (the deprecated synonym), an object that is a scope
 * of its own ({StartAt, States, ProcessorConfig}) walked by vx_machine; ProcessorConfig Mode
 * INLINE (default) or DISTRIBUTED, the latter with ExecutionType STANDARD or EXPRESS.
 * JSONPath: ItemsPath (Reference Path), ItemSelector (template; Parameters is its deprecated
 * synonym, not both), MaxConcurrencyPath and ToleratedFailure*Path (Reference Paths, each
 * exclusive with its static field). JSONata: Items (array or expression), ItemSelector (any
 * JSON with expressions). Both: MaxConcurrency >= 0, ToleratedFailureCount >= 0,
 * ToleratedFailurePercentage 0..100, Label (1..40 characters, no whitespace, controls or
 * ?*<>{}[]:;,\|^~$#%&`"), ItemReader, ItemBatcher (at least one Max*; bytes <= 256 KiB),
 * ResultWriter (distributed-mode fields; their shape is checked, not the mode).
 */
#include <string.h>

#include "asl/asl_validate_int.h"
#include "stepx/path.h"

#define INT32_MAXLL 2147483647LL
#define BATCH_BYTES_MAX 262144LL
#define READER_ITEMS_MAX 100000000LL
#define LABEL_MAX 40

static void
enum_field(vx_t *vx, const val_t *obj, const char *loc, const char *field,
           const char *const *values, const char *list)
{
    const val_t *v = vx_str(vx, obj, loc, field);
    if (v == NULL)
        return;
    for (const char *const *p = values; *p != NULL; p++)
        if (strcmp(*p, val_str_get(v)) == 0)
            return;
    vx_schema(vx, loc, field, "The field '%s' should have one of these values: [%s]", field,
              list);
}

static void
processor_config(vx_t *vx, const val_t *proc, const char *ploc)
{
    static const char *const keys[] = {"Mode", "ExecutionType", NULL};
    static const char *const modes[] = {"INLINE", "DISTRIBUTED", NULL};
    static const char *const exec[] = {"STANDARD", "EXPRESS", NULL};
    const val_t *pc = vx_obj(vx, proc, ploc, "ProcessorConfig");
    if (pc == NULL)
        return;
    const char *loc = vx_loc(vx, ploc, "ProcessorConfig");
    vx_known(vx, pc, loc, keys);
    enum_field(vx, pc, loc, "Mode", modes, "INLINE, DISTRIBUTED");
    enum_field(vx, pc, loc, "ExecutionType", exec, "STANDARD, EXPRESS");
    const val_t *mode = val_obj_gets(pc, "Mode");
    if (val_is(mode, VAL_STR) && strcmp(val_str_get(mode), "DISTRIBUTED") == 0 &&
        val_obj_gets(pc, "ExecutionType") == NULL)
        vx_schema(vx, loc, NULL, "These fields are required: [ExecutionType]");
}

static void
processor(vx_state_t *st)
{
    const val_t *ip = val_obj_gets(st->s, "ItemProcessor"), *it = val_obj_gets(st->s, "Iterator");
    const char *field = ip != NULL ? "ItemProcessor" : "Iterator";
    const val_t *proc = ip != NULL ? ip : it;

    if (ip == NULL && it == NULL) {
        vx_schema(st->vx, st->loc, NULL, "These fields are required: [ItemProcessor]");
        return;
    }
    vx_exclusive(st->vx, st->s, st->loc, "ItemProcessor", "Iterator");
    const char *ploc = vx_loc(st->vx, st->loc, field);
    if (!val_is(proc, VAL_OBJ)) {
        vx_schema(st->vx, ploc, NULL, "The value for the field '%s' must be an object", field);
        return;
    }
    processor_config(st->vx, proc, ploc);
    vx_machine(st->vx, proc, ploc, 2);
}

static bool
label_char_ok(unsigned char c)
{
    if (c <= 0x20 || c == 0x7F)
        return false;
    return strchr("?*<>{}[]:;,\\|^~$#%&`\"", c) == NULL;
}

static void
label(vx_state_t *st)
{
    const val_t *v = vx_str(st->vx, st->s, st->loc, "Label");
    if (v == NULL)
        return;
    const unsigned char *s = (const unsigned char *)val_str_get(v);
    size_t n = val_len(v), chars = 0;
    bool ok = n > 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            chars++;
        if (!label_char_ok(s[i]))
            ok = false;
        /* U+0080..U+009F (C1 controls) and U+00A0 / U+2000.. spaces are C2 xx / E2 80 xx */
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] <= 0xA0)
            ok = false;
    }
    if (!ok || chars > LABEL_MAX)
        vx_schema(st->vx, st->loc, "Label",
                  "The value for the field 'Label' must be 1 to %d characters without "
                  "whitespace, control characters or any of ?*<>{}[]:;,\\|^~$#%%&`\"",
                  LABEL_MAX);
}

static void
item_batcher(vx_state_t *st)
{
    static const char *const path_keys[] = {"MaxItemsPerBatch", "MaxItemsPerBatchPath",
                                            "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath",
                                            "BatchInput", NULL};
    static const char *const ata_keys[] = {"MaxItemsPerBatch", "MaxInputBytesPerBatch",
                                           "BatchInput", NULL};
    vx_t *vx = st->vx;
    long long n;
    const val_t *b = vx_obj(vx, st->s, st->loc, "ItemBatcher");
    if (b == NULL)
        return;
    const char *loc = vx_loc(vx, st->loc, "ItemBatcher");
    vx_known(vx, b, loc, st->jsonata ? ata_keys : path_keys);
    int have = 0;
    for (size_t i = 0; i < 4; i++)
        have += path_keys[i] != NULL && val_obj_gets(b, path_keys[i]) != NULL;
    if (have == 0)
        vx_schema(vx, loc, NULL, "At least one of these fields is required: [%s]",
                  st->jsonata ? "MaxItemsPerBatch, MaxInputBytesPerBatch"
                              : "MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, "
                                "MaxInputBytesPerBatchPath");
    vx_int(vx, b, loc, "MaxItemsPerBatch", 1, INT32_MAXLL, st->jsonata, &n);
    vx_int(vx, b, loc, "MaxInputBytesPerBatch", 1, BATCH_BYTES_MAX, st->jsonata, &n);
    vx_exclusive(vx, b, loc, "MaxItemsPerBatch", "MaxItemsPerBatchPath");
    vx_exclusive(vx, b, loc, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath");
    if (st->jsonata) {
        vx_jsonata_field(vx, b, loc, "BatchInput");
        return;
    }
    vx_path(vx, b, loc, "MaxItemsPerBatchPath", JP_F_REFERENCE, false);
    vx_path(vx, b, loc, "MaxInputBytesPerBatchPath", JP_F_REFERENCE, false);
    vx_tmpl(vx, b, loc, "BatchInput", true);
}

/* Parameters (JSONPath template) or Arguments (JSONata) of ItemReader / ResultWriter. */
static void
io_args(vx_state_t *st, const val_t *o, const char *loc)
{
    if (st->jsonata)
        vx_jsonata_field(st->vx, o, loc, "Arguments");
    else
        vx_tmpl(st->vx, o, loc, "Parameters", true);
}

static void
reader_config(vx_state_t *st, const val_t *r, const char *rloc)
{
    static const char *const path_keys[] = {"InputType", "CSVHeaderLocation", "CSVHeaders",
                                            "CSVDelimiter", "ManifestType", "Transformation",
                                            "ItemsPointer", "MaxItems", "MaxItemsPath", NULL};
    static const char *const types[] = {"CSV", "JSON", "JSONL", "PARQUET", "MANIFEST", NULL};
    static const char *const header[] = {"FIRST_ROW", "GIVEN", NULL};
    vx_t *vx = st->vx;
    long long n;
    const val_t *c = vx_obj(vx, r, rloc, "ReaderConfig");
    if (c == NULL)
        return;
    const char *loc = vx_loc(vx, rloc, "ReaderConfig");
    vx_known(vx, c, loc, path_keys);
    if (st->jsonata && val_obj_gets(c, "MaxItemsPath") != NULL)
        vx_schema(vx, loc, "MaxItemsPath",
                  "The field \"MaxItemsPath\" is not supported when the query language is "
                  "JSONata");
    enum_field(vx, c, loc, "InputType", types, "CSV, JSON, JSONL, PARQUET, MANIFEST");
    enum_field(vx, c, loc, "CSVHeaderLocation", header, "FIRST_ROW, GIVEN");
    vx_arr(vx, c, loc, "CSVHeaders");
    vx_int(vx, c, loc, "MaxItems", 0, READER_ITEMS_MAX, st->jsonata, &n);
    vx_exclusive(vx, c, loc, "MaxItems", "MaxItemsPath");
    if (!st->jsonata)
        vx_path(vx, c, loc, "MaxItemsPath", JP_F_REFERENCE, false);
}

static void
item_reader(vx_state_t *st)
{
    static const char *const path_keys[] = {"Resource", "Parameters", "ReaderConfig", NULL};
    static const char *const ata_keys[] = {"Resource", "Arguments", "ReaderConfig", NULL};
    const val_t *r = vx_obj(st->vx, st->s, st->loc, "ItemReader");
    if (r == NULL)
        return;
    const char *loc = vx_loc(st->vx, st->loc, "ItemReader");
    vx_known(st->vx, r, loc, st->jsonata ? ata_keys : path_keys);
    if (val_obj_gets(r, "Resource") == NULL)
        vx_schema(st->vx, loc, NULL, "These fields are required: [Resource]");
    vx_str(st->vx, r, loc, "Resource");
    io_args(st, r, loc);
    reader_config(st, r, loc);
}

static void
result_writer(vx_state_t *st)
{
    static const char *const path_keys[] = {"Resource", "Parameters", "WriterConfig", NULL};
    static const char *const ata_keys[] = {"Resource", "Arguments", "WriterConfig", NULL};
    static const char *const wkeys[] = {"OutputType", "Transformation", NULL};
    static const char *const otypes[] = {"JSON", "JSONL", NULL};
    static const char *const trans[] = {"NONE", "COMPACT", "FLATTEN", NULL};
    vx_t *vx = st->vx;
    const val_t *w = vx_obj(vx, st->s, st->loc, "ResultWriter");
    if (w == NULL)
        return;
    const char *loc = vx_loc(vx, st->loc, "ResultWriter");
    vx_known(vx, w, loc, st->jsonata ? ata_keys : path_keys);
    vx_str(vx, w, loc, "Resource");
    io_args(st, w, loc);
    const val_t *c = vx_obj(vx, w, loc, "WriterConfig");
    if (c == NULL)
        return;
    const char *cloc = vx_loc(vx, loc, "WriterConfig");
    vx_known(vx, c, cloc, wkeys);
    enum_field(vx, c, cloc, "OutputType", otypes, "JSON, JSONL");
    enum_field(vx, c, cloc, "Transformation", trans, "NONE, COMPACT, FLATTEN");
}

static void
items(vx_state_t *st)
{
    const val_t *v = val_obj_gets(st->s, "Items");
    if (v == NULL)
        return;
    if (!val_is(v, VAL_ARR) && !vx_is_expr(v))
        vx_schema(st->vx, st->loc, "Items",
                  "The value for the field 'Items' must be an array or a JSONata expression");
    else
        vx_jsonata(st->vx, v, vx_loc(st->vx, st->loc, "Items"), "Items");
}

void
vx_state_map(vx_state_t *st)
{
    vx_t *vx = st->vx;
    long long n;
    double d;

    processor(st);
    vx_int(vx, st->s, st->loc, "MaxConcurrency", 0, INT32_MAXLL, st->jsonata, &n);
    vx_int(vx, st->s, st->loc, "ToleratedFailureCount", 0, INT32_MAXLL, st->jsonata, &n);
    vx_num(vx, st->s, st->loc, "ToleratedFailurePercentage", 0, 100, st->jsonata, &d);
    label(st);
    item_batcher(st);
    item_reader(st);
    result_writer(st);
    if (st->jsonata) {
        items(st);
        vx_jsonata_field(vx, st->s, st->loc, "ItemSelector");
        return;
    }
    vx_exclusive(vx, st->s, st->loc, "ItemSelector", "Parameters");
    vx_exclusive(vx, st->s, st->loc, "MaxConcurrency", "MaxConcurrencyPath");
    vx_exclusive(vx, st->s, st->loc, "ToleratedFailureCount", "ToleratedFailureCountPath");
    vx_exclusive(vx, st->s, st->loc, "ToleratedFailurePercentage",
                 "ToleratedFailurePercentagePath");
    vx_path(vx, st->s, st->loc, "ItemsPath", JP_F_REFERENCE, false);
    vx_path(vx, st->s, st->loc, "MaxConcurrencyPath", JP_F_REFERENCE, false);
    vx_path(vx, st->s, st->loc, "ToleratedFailureCountPath", JP_F_REFERENCE, false);
    vx_path(vx, st->s, st->loc, "ToleratedFailurePercentagePath", JP_F_REFERENCE, false);
    vx_tmpl(vx, st->s, st->loc, "ItemSelector", false);
}

/*
 * jna_sig.c: function signatures (jsonata-js signature.js).
 *
 * A signature "<s-n?:s>" is a list of parameters, each a set of accepted type letters
 * (a s n b l f o m, m = missing/undefined) with a quantifier. The reference compiles it to a
 * regex over the argument letters and matches with backtracking; this is the same matcher
 * written directly: greedy, leftmost, with backtracking, so T0410's argument index (the
 * longest matching prefix) and the context substitution for '-' parameters come out the
 * same. The return type after ':' is ignored, as upstream does.
 */
#include "jna_int.h"

enum { L_A = 1, L_S = 2, L_N = 4, L_B = 8, L_L = 16, L_F = 32, L_O = 64, L_M = 128 };

typedef struct sparam {
    unsigned cls;        /* accepted letters (L_*) */
    char type;           /* 's','n','b','l','o','a','f','j','x','(' */
    char quant;          /* 0, '?', '+' */
    bool context;        /* '-': use the context when absent */
    unsigned ctxcls;     /* class before the '-' made it optional */
    const char *subtype; /* a<...> / f<...> text */
    int sublen;
} sparam_t;

struct jna_sig {
    sparam_t *p;
    int n;
};

#define SIG_MAX_PARAMS 32
#define SIG_MAX_ARGS 64

static unsigned
letter_bit(char c)
{
    switch (c) {
    case 'a':
        return L_A;
    case 's':
        return L_S;
    case 'n':
        return L_N;
    case 'b':
        return L_B;
    case 'l':
        return L_L;
    case 'f':
        return L_F;
    case 'o':
        return L_O;
    case 'm':
        return L_M;
    default:
        return 0;
    }
}

static int
close_bracket(const char *s, size_t n, size_t start, char open, char close)
{
    int depth = 1;
    size_t pos = start;
    while (pos < n) {
        pos++;
        if (pos >= n)
            break;
        if (s[pos] == close) {
            if (--depth == 0)
                break;
        } else if (s[pos] == open) {
            depth++;
        }
    }
    return (int)pos;
}

int
jna_sig_parse(sx_arena_t *a, const char *s, size_t n, jna_sig_t **out, jna_error_t *err)
{
    sparam_t ps[SIG_MAX_PARAMS];
    int np = 0;
    sparam_t *prev = NULL;
    size_t pos = 1;

    memset(ps, 0, sizeof(ps));
    while (pos < n && np < SIG_MAX_PARAMS) {
        char sym = s[pos];
        if (sym == ':')
            break;
        sparam_t *cur = &ps[np];
        switch (sym) {
        case 's':
        case 'n':
        case 'b':
        case 'l':
        case 'o':
            cur->cls = letter_bit(sym) | L_M;
            goto next;
        case 'a':
        case 'x':
            cur->cls = 0xff;
            goto next;
        case 'f':
            cur->cls = L_F;
            goto next;
        case 'j':
            cur->cls = 0xff & ~(unsigned)L_F;
            goto next;
        case '-':
            if (prev != NULL) {
                prev->context = true;
                prev->ctxcls = prev->cls;
                prev->quant = '?';
            }
            break;
        case '?':
        case '+':
            if (prev != NULL)
                prev->quant = sym;
            break;
        case '(': {
            int end = close_bracket(s, n, pos, '(', ')');
            cur->cls = L_M;
            for (size_t k = pos + 1; k < (size_t)end && k < n; k++) {
                if (s[k] == '<')
                    return jna_fail(a, err, "S0402", (int)pos, NULL,
                                    val_str(a, s + pos + 1, (size_t)end - pos - 1), NULL);
                cur->cls |= letter_bit(s[k]);
            }
            cur->type = '(';
            pos = (size_t)end;
            prev = cur;
            np++;
            break;
        }
        case '<':
            if (prev != NULL && (prev->type == 'a' || prev->type == 'f')) {
                int end = close_bracket(s, n, pos, '<', '>');
                prev->subtype = sx_arena_strndup(a, s + pos + 1, (size_t)end - pos - 1);
                prev->sublen = end - (int)pos - 1;
                pos = (size_t)end;
            } else {
                char t[2] = {prev ? prev->type : '?', 0};
                return jna_fail(a, err, "S0401", (int)pos, NULL, val_strz(a, t), NULL);
            }
            break;
        default:
            break;
        }
        pos++;
        continue;
    next:
        cur->type = sym;
        prev = cur;
        np++;
        pos++;
    }
    jna_sig_t *sig = sx_arena_alloc(a, sizeof(*sig));
    sig->n = np;
    sig->p = sx_arena_alloc(a, (size_t)(np ? np : 1) * sizeof(sparam_t));
    memcpy(sig->p, ps, (size_t)np * sizeof(sparam_t));
    *out = sig;
    return SX_OK;
}

int
jna_sig_nparams(const jna_sig_t *sig)
{
    return sig->n;
}

static char
letter_of(const val_t *v)
{
    if (v == NULL)
        return 'm';
    switch (v->type) {
    case VAL_NULL:
        return 'l';
    case VAL_BOOL:
        return 'b';
    case VAL_NUM:
        return 'n';
    case VAL_STR:
        return 's';
    case VAL_ARR:
        return 'a';
    case VAL_OBJ:
        return 'o';
    default:
        return jna_is_func(v) ? 'f' : 'm';
    }
}

/* Backtracking match of params[i..k) against letters[pos..]; anchored at the end when
 * `full`. Returns the end position of the first match found, or -1; caps[] gets the
 * number of letters each parameter took. */
static int
sig_match(const sparam_t *ps, int i, int k, const char *letters, int len, int pos, bool full,
          int *caps)
{
    if (i == k)
        return (!full || pos == len) ? pos : -1;
    const sparam_t *p = &ps[i];
    int maxn = 0;
    while (pos + maxn < len && (p->cls & letter_bit(letters[pos + maxn])) &&
           (p->quant == '+' || maxn < 1))
        maxn++;
    int minn = p->quant == '?' ? 0 : 1;
    for (int take = maxn; take >= minn; take--) {
        int r = sig_match(ps, i + 1, k, letters, len, pos + take, full, caps);
        if (r >= 0) {
            if (caps)
                caps[i] = take;
            return r;
        }
    }
    return -1;
}

static const char *
array_type_name(const char *sub)
{
    switch (sub ? sub[0] : 0) {
    case 'a':
        return "arrays";
    case 'b':
        return "booleans";
    case 'f':
        return "functions";
    case 'n':
        return "numbers";
    case 'o':
        return "objects";
    case 's':
        return "strings";
    default:
        return "";
    }
}

static int
sig_mismatch(const jna_sig_t *sig, sx_arena_t *a, const val_t *const *args, size_t argc,
             const char *letters, int len, jna_error_t *err, const char *fname)
{
    int good = 0;
    for (int k = 1; k <= sig->n; k++) {
        int r = sig_match(sig->p, 0, k, letters, len, 0, false, NULL);
        if (r < 0)
            break;
        good = r;
    }
    return jna_fail_idx(a, err, "T0410", -1, fname, (size_t)good < argc ? args[good] : NULL,
                        good + 1, NULL);
}

static bool
array_ok(const sparam_t *p, const val_t *arg, char single, const char *match, int mlen)
{
    if (p->subtype == NULL)
        return true;
    if (single != 'a')
        return mlen == p->sublen && memcmp(match, p->subtype, (size_t)mlen) == 0;
    if (arg->len == 0)
        return true;
    char it = letter_of(arg->u.items[0]);
    if (it != p->subtype[0])
        return false;
    for (uint32_t i = 1; i < arg->len; i++)
        if (letter_of(arg->u.items[i]) != it)
            return false;
    return true;
}

int
jna_sig_validate(const jna_sig_t *sig, sx_arena_t *a, const val_t *const *args, size_t argc,
                 const val_t *context, bool has_context, const val_t ***out, size_t *outc,
                 jna_error_t *err, const char *fname)
{
    char letters[SIG_MAX_ARGS + 1];
    int caps[SIG_MAX_PARAMS];
    int len = (int)(argc < SIG_MAX_ARGS ? argc : SIG_MAX_ARGS);
    SX_UNUSED(has_context);

    for (int i = 0; i < len; i++)
        letters[i] = letter_of(args[i]);
    letters[len] = 0;
    if ((size_t)len != argc || sig_match(sig->p, 0, sig->n, letters, len, 0, true, caps) < 0)
        return sig_mismatch(sig, a, args, argc, letters, len, err, fname);

    const val_t **v = sx_arena_alloc(a, ((size_t)sig->n + argc + 1) * sizeof(*v));
    size_t nv = 0, ai = 0;
    int lpos = 0;
    for (int i = 0; i < sig->n; i++) {
        const sparam_t *p = &sig->p[i];
        if (caps[i] == 0) {
            if (p->context) {
                if (!(p->ctxcls & letter_bit(letter_of(context))))
                    return jna_fail_idx(a, err, "T0411", -1, fname, context, (int)ai + 1, NULL);
                v[nv++] = context;
            } else {
                v[nv++] = ai < argc ? args[ai] : NULL;
                ai++;
            }
            continue;
        }
        const char *match = letters + lpos;
        for (int k = 0; k < caps[i]; k++, ai++) {
            char single = letters[lpos + k];
            const val_t *arg = ai < argc ? args[ai] : NULL;
            if (p->type == 'a') {
                if (single == 'm' || arg == NULL) {
                    arg = NULL;
                } else {
                    if (!array_ok(p, arg, single, match, caps[i]))
                        return jna_fail_idx(a, err, "T0412", -1, fname, arg, (int)ai + 1,
                                            array_type_name(p->subtype));
                    if (single != 'a')
                        arg = val_arr(a, &arg, 1, 0);
                }
            }
            v[nv++] = arg;
        }
        lpos += caps[i];
    }
    *out = v;
    *outc = nv;
    return SX_OK;
}

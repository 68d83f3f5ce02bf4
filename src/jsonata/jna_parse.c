/*
 * jna_parse.c: the Pratt (top-down operator precedence) parser of jsonata-js, producing the
 * raw tree that jna_ast.c rewrites.
 *
 * Tokens become nodes as they are read (advance()); each symbol id has a left binding power
 * (lbp), a nud (operand position) and, when lbp > 0, a led (infix position). Errors are the
 * S02xx codes of the reference. Recursion is bounded by JNA_PARSE_MAX_DEPTH nested
 * expressions, so hostile input cannot overflow the C stack.
 */
#include "jna_int.h"

typedef struct parser {
    sx_arena_t *a;
    jna_error_t *err;
    jna_lex_t lx;
    jna_node_t *node; /* current token */
    int depth;        /* nested expression() calls */
    bool failed;
    jna_parse_info_t info; /* reported to the caller */
} parser_t;

typedef struct lbp_ent {
    const char *id;
    int lbp;
} lbp_ent_t;

static const lbp_ent_t lbps[] = {
    {".", 75},  {"[", 80},  {"{", 70},  {"(", 80},  {"@", 80},  {"#", 80},  {"?", 20},
    {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},  {"=", 40},  {"<", 40},
    {">", 40},  {"^", 40},  {":=", 10}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
    {"?:", 40}, {"??", 40}, {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50},
};

/* Symbols with no binding power that still exist (terminators and prefix-only). */
static const char *const zero_syms[] = {":", ";", ",", ")", "]", "}", "..", "**", "|"};

static int
lbp_of(const char *id)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(lbps); i++)
        if (strcmp(lbps[i].id, id) == 0)
            return lbps[i].lbp;
    return 0;
}

static bool
sym_known(const char *id)
{
    if (lbp_of(id) > 0)
        return true;
    for (size_t i = 0; i < SX_ARRAY_LEN(zero_syms); i++)
        if (strcmp(zero_syms[i], id) == 0)
            return true;
    return false;
}

jna_node_t *
jna_node_new(sx_arena_t *a, int type, int position)
{
    jna_node_t *n = sx_arena_calloc(a, sizeof(*n));
    n->type = (uint8_t)type;
    n->position = position;
    return n;
}

void
jna_nvec_push(sx_arena_t *a, jna_nvec_t *v, jna_node_t *n)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        jna_node_t **nv = sx_arena_alloc(a, (size_t)cap * sizeof(*nv));
        if (v->n)
            memcpy(nv, v->v, (size_t)v->n * sizeof(*nv));
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = n;
}

static int
pfail(parser_t *p, const char *code, int pos, const char *token, const char *value)
{
    p->failed = true;
    return jna_fail(p->a, p->err, code, pos, token, value ? val_strz(p->a, value) : NULL, NULL);
}

static const char *
node_text(parser_t *p, const jna_node_t *n)
{
    char buf[VAL_NUM_BUF];
    switch (n->type) {
    case JN_NAME:
    case JN_VARIABLE:
    case JN_STRING:
        return n->str;
    case JN_NUMBER:
        val_num_fmt(val_num_get(n->lit), buf);
        return sx_arena_strndup(p->a, buf, strlen(buf));
    case JN_VALUE:
        return val_is(n->lit, VAL_NULL) ? "null" : val_bool_get(n->lit) ? "true" : "false";
    case JN_REGEX:
        return n->str;
    case JN_END:
        return "(end)";
    default:
        return n->op;
    }
}

/* Moves to the next token; when id is given the current one must be it. */
static int
advance(parser_t *p, const char *id, bool infix)
{
    jna_tok_t t;
    jna_node_t *n;

    if (id != NULL && strcmp(p->node->id, id) != 0) {
        if (p->node->type == JN_END)
            return pfail(p, "S0203", p->node->position, NULL, id);
        return pfail(p, "S0202", p->node->position, node_text(p, p->node), id);
    }
    if (jna_lex_next(&p->lx, infix, &t) != SX_OK) {
        p->failed = true;
        return SX_ERR;
    }
    switch (t.type) {
    case JT_END:
        n = jna_node_new(p->a, JN_END, (int)p->lx.len);
        strcpy(n->id, "(end)");
        break;
    case JT_NAME:
    case JT_VAR:
        n = jna_node_new(p->a, t.type == JT_NAME ? JN_NAME : JN_VARIABLE, t.position);
        strcpy(n->id, "(name)");
        n->str = t.s;
        n->slen = t.n;
        break;
    case JT_STR:
        n = jna_node_new(p->a, JN_STRING, t.position);
        strcpy(n->id, "(literal)");
        n->str = t.s;
        n->slen = t.n;
        n->lit = val_str_nocopy(p->a, t.s, t.n);
        break;
    case JT_NUM:
        n = jna_node_new(p->a, JN_NUMBER, t.position);
        strcpy(n->id, "(literal)");
        n->lit = val_num(p->a, t.num);
        break;
    case JT_VALUE:
        n = jna_node_new(p->a, JN_VALUE, t.position);
        strcpy(n->id, "(literal)");
        n->lit = t.lit;
        break;
    case JT_REGEX:
        n = jna_node_new(p->a, JN_REGEX, t.position);
        strcpy(n->id, "(regex)");
        n->str = sx_arena_printf(p->a, NULL, "/%s/%s", t.re, t.reflags);
        if (jna_regex_compile(p->a, t.re, t.relen, t.reflags, &n->re, p->err, t.position) !=
            SX_OK) {
            p->failed = true;
            return SX_ERR;
        }
        break;
    default:
        if (!sym_known(t.op))
            return pfail(p, "S0204", t.position, t.op, NULL);
        n = jna_node_new(p->a, JN_OPERATOR, t.position);
        strcpy(n->op, t.op);
        strcpy(n->id, t.op);
        break;
    }
    p->node = n;
    return SX_OK;
}

static jna_node_t *expression(parser_t *p, int rbp);

#define TRY(x)                                                                                 \
    do {                                                                                       \
        if ((x) != SX_OK)                                                                      \
            return NULL;                                                                       \
    } while (0)
#define TRYN(x)                                                                                \
    do {                                                                                       \
        if ((x) == NULL)                                                                       \
            return NULL;                                                                       \
    } while (0)

static jna_node_t *
nud_block(parser_t *p, jna_node_t *t)
{
    t->type = JN_BLOCK;
    while (strcmp(p->node->id, ")") != 0) {
        jna_node_t *e = expression(p, 0);
        TRYN(e);
        jna_nvec_push(p->a, &t->items, e);
        if (strcmp(p->node->id, ";") != 0)
            break;
        TRY(advance(p, ";", false));
    }
    TRY(advance(p, ")", true));
    return t;
}

static jna_node_t *
nud_array(parser_t *p, jna_node_t *t)
{
    t->type = JN_UNARY;
    if (strcmp(p->node->id, "]") != 0) {
        for (;;) {
            jna_node_t *item = expression(p, 0);
            TRYN(item);
            if (strcmp(p->node->id, "..") == 0) {
                jna_node_t *r = jna_node_new(p->a, JN_BINARY, p->node->position);
                strcpy(r->op, "..");
                r->lhs = item;
                TRY(advance(p, "..", false));
                TRYN(r->rhs = expression(p, 0));
                item = r;
            }
            jna_nvec_push(p->a, &t->items, item);
            if (strcmp(p->node->id, ",") != 0)
                break;
            TRY(advance(p, ",", false));
        }
    }
    TRY(advance(p, "]", true));
    return t;
}

/* Object constructor (left == NULL) or group-by (infix). */
static jna_node_t *
object_parser(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    if (strcmp(p->node->id, "}") != 0) {
        for (;;) {
            jna_node_t *k = expression(p, 0), *v;
            TRYN(k);
            TRY(advance(p, ":", false));
            TRYN(v = expression(p, 0));
            jna_nvec_push(p->a, &t->pairs, k);
            jna_nvec_push(p->a, &t->pairs, v);
            if (strcmp(p->node->id, ",") != 0)
                break;
            TRY(advance(p, ",", false));
        }
    }
    TRY(advance(p, "}", true));
    if (left == NULL) {
        t->type = JN_UNARY;
    } else {
        t->type = JN_BINARY;
        t->lhs = left;
    }
    return t;
}

static jna_node_t *
nud_transform(parser_t *p, jna_node_t *t)
{
    t->type = JN_TRANSFORM;
    TRYN(t->lhs = expression(p, 0));
    TRY(advance(p, "|", false));
    TRYN(t->rhs = expression(p, 0));
    if (strcmp(p->node->id, ",") == 0) {
        TRY(advance(p, ",", false));
        TRYN(t->expr = expression(p, 0));
    }
    TRY(advance(p, "|", false));
    return t;
}

static jna_node_t *
nud(parser_t *p, jna_node_t *t)
{
    const char *id = t->id;
    if (id[0] == '(' && id[1] != 0)
        return t; /* (end) (name) (literal) (regex) */
    if (strcmp(id, "and") == 0 || strcmp(id, "or") == 0 || strcmp(id, "in") == 0)
        return t;
    if (strcmp(id, "-") == 0) {
        t->type = JN_UNARY;
        TRYN(t->expr = expression(p, 70));
        return t;
    }
    if (strcmp(id, "*") == 0) {
        t->type = JN_WILDCARD;
        return t;
    }
    if (strcmp(id, "**") == 0) {
        t->type = JN_DESCENDANT;
        return t;
    }
    if (strcmp(id, "%") == 0) {
        t->type = JN_PARENT;
        return t;
    }
    if (strcmp(id, "(") == 0)
        return nud_block(p, t);
    if (strcmp(id, "[") == 0)
        return nud_array(p, t);
    if (strcmp(id, "{") == 0)
        return object_parser(p, t, NULL);
    if (strcmp(id, "|") == 0)
        return nud_transform(p, t);
    pfail(p, "S0211", t->position, t->op, NULL);
    return NULL;
}

static jna_node_t *
lambda_def(parser_t *p, jna_node_t *t)
{
    for (int i = 0; i < t->items.n; i++) {
        jna_node_t *arg = t->items.v[i];
        if (arg->type != JN_VARIABLE) {
            pfail(p, "S0208", arg->position, node_text(p, arg), NULL);
            return NULL;
        }
    }
    t->type = JN_LAMBDA;
    if (strcmp(p->node->id, "<") == 0) {
        int sigpos = p->node->position, depth = 1;
        sx_sbuf_t sig = SX_SBUF_INIT;
        sx_sbuf_addc(&sig, '<');
        while (depth > 0 && strcmp(p->node->id, "{") != 0 && p->node->type != JN_END) {
            if (advance(p, NULL, false) != SX_OK) {
                sx_sbuf_fini(&sig);
                return NULL;
            }
            if (strcmp(p->node->id, ">") == 0)
                depth--;
            else if (strcmp(p->node->id, "<") == 0)
                depth++;
            sx_sbuf_adds(&sig, node_text(p, p->node));
        }
        t->str = sx_arena_strndup(p->a, sig.p, sig.len);
        t->slen = (uint32_t)sig.len;
        sx_sbuf_fini(&sig);
        TRY(advance(p, ">", false));
        if (jna_sig_parse(p->a, t->str, t->slen, &t->sig, p->err) != SX_OK) {
            p->err->position += sigpos;
            p->failed = true;
            return NULL;
        }
    }
    TRY(advance(p, "{", false));
    TRYN(t->body = expression(p, 0));
    TRY(advance(p, "}", false));
    return t;
}

static jna_node_t *
led_call(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    t->procedure = left;
    t->type = JN_FUNCTION;
    if (strcmp(p->node->id, ")") != 0) {
        for (;;) {
            if (p->node->type == JN_OPERATOR && strcmp(p->node->id, "?") == 0) {
                t->type = JN_PARTIAL;
                jna_nvec_push(p->a, &t->items, p->node);
                TRY(advance(p, "?", false));
            } else {
                jna_node_t *e = expression(p, 0);
                TRYN(e);
                jna_nvec_push(p->a, &t->items, e);
            }
            if (strcmp(p->node->id, ",") != 0)
                break;
            TRY(advance(p, ",", false));
        }
    }
    TRY(advance(p, ")", true));
    if (left->type == JN_NAME &&
        ((left->slen == 8 && memcmp(left->str, "function", 8) == 0) ||
         (left->slen == 2 && memcmp(left->str, "\xce\xbb", 2) == 0)))
        return lambda_def(p, t);
    return t;
}

static jna_node_t *
led_filter(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    if (strcmp(p->node->id, "]") == 0) {
        jna_node_t *step = left;
        while (step != NULL && step->type == JN_BINARY && strcmp(step->op, "[") == 0)
            step = step->lhs;
        step->keep_array = true;
        TRY(advance(p, "]", false));
        return left;
    }
    t->lhs = left;
    TRYN(t->rhs = expression(p, 0));
    t->type = JN_BINARY;
    TRY(advance(p, "]", true));
    return t;
}

static jna_node_t *
led_orderby(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    jna_term_t terms[64];
    int n = 0;
    TRY(advance(p, "(", false));
    for (;;) {
        bool desc = false;
        if (strcmp(p->node->id, "<") == 0) {
            TRY(advance(p, "<", false));
        } else if (strcmp(p->node->id, ">") == 0) {
            desc = true;
            TRY(advance(p, ">", false));
        }
        jna_node_t *e = expression(p, 0);
        TRYN(e);
        if (n == (int)SX_ARRAY_LEN(terms)) {
            pfail(p, "S0201", p->node->position, node_text(p, p->node), NULL);
            return NULL;
        }
        terms[n].descending = desc;
        terms[n++].expr = e;
        if (strcmp(p->node->id, ",") != 0)
            break;
        TRY(advance(p, ",", false));
    }
    TRY(advance(p, ")", false));
    t->lhs = left;
    t->terms = sx_arena_alloc(p->a, (size_t)n * sizeof(*terms));
    memcpy(t->terms, terms, (size_t)n * sizeof(*terms));
    t->nterms = n;
    t->type = JN_BINARY;
    return t;
}

static jna_node_t *
led_bindvar(parser_t *p, jna_node_t *t, jna_node_t *left, int bp)
{
    t->lhs = left;
    TRYN(t->rhs = expression(p, bp));
    if (t->rhs->type != JN_VARIABLE) {
        pfail(p, "S0214", t->rhs->position, t->op, NULL);
        return NULL;
    }
    t->type = JN_BINARY;
    return t;
}

static jna_node_t *
led_cond(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    t->type = JN_CONDITION;
    if (strcmp(t->id, "?") == 0) {
        t->cond = left;
        TRYN(t->then = expression(p, 0));
        if (strcmp(p->node->id, ":") == 0) {
            TRY(advance(p, ":", false));
            TRYN(t->els = expression(p, 0));
            t->has_else = true;
        }
    } else if (strcmp(t->id, "?:") == 0) {
        if (p->info.v21_pos < 0)
            p->info = (jna_parse_info_t){t->position, ":"};
        t->cond = left;
        t->then = left;
        TRYN(t->els = expression(p, 0));
        t->has_else = true;
    } else { /* ?? */
        if (p->info.v21_pos < 0)
            p->info = (jna_parse_info_t){t->position, "?"};
        jna_node_t *f = jna_node_new(p->a, JN_FUNCTION, t->position);
        jna_node_t *v = jna_node_new(p->a, JN_VARIABLE, t->position);
        strcpy(f->op, "(");
        v->str = "exists";
        v->slen = 6;
        f->procedure = v;
        jna_nvec_push(p->a, &f->items, left);
        t->cond = f;
        t->then = left;
        TRYN(t->els = expression(p, 0));
        t->has_else = true;
    }
    return t;
}

static jna_node_t *
led(parser_t *p, jna_node_t *t, jna_node_t *left)
{
    const char *id = t->id;
    int bp = lbp_of(id);
    if (strcmp(id, "(") == 0)
        return led_call(p, t, left);
    if (strcmp(id, "[") == 0)
        return led_filter(p, t, left);
    if (strcmp(id, "^") == 0)
        return led_orderby(p, t, left);
    if (strcmp(id, "{") == 0)
        return object_parser(p, t, left);
    if (strcmp(id, "@") == 0 || strcmp(id, "#") == 0)
        return led_bindvar(p, t, left, bp);
    if (strcmp(id, "?") == 0 || strcmp(id, "?:") == 0 || strcmp(id, "??") == 0)
        return led_cond(p, t, left);
    if (strcmp(id, ":=") == 0) {
        if (left->type != JN_VARIABLE) {
            pfail(p, "S0212", left->position, node_text(p, left), NULL);
            return NULL;
        }
        t->lhs = left;
        TRYN(t->rhs = expression(p, bp - 1));
        t->type = JN_BINARY;
        return t;
    }
    t->lhs = left;
    TRYN(t->rhs = expression(p, bp));
    t->type = JN_BINARY;
    return t;
}

static jna_node_t *
expression(parser_t *p, int rbp)
{
    jna_node_t *t = p->node, *left;
    if (++p->depth > JNA_PARSE_MAX_DEPTH) {
        pfail(p, "U1001", t->position, NULL, NULL);
        p->err->message = "Expression nested too deeply";
        return NULL;
    }
    TRY(advance(p, NULL, true));
    TRYN(left = nud(p, t));
    while (rbp < lbp_of(p->node->id)) {
        t = p->node;
        TRY(advance(p, NULL, false));
        TRYN(left = led(p, t, left));
    }
    p->depth--;
    return left;
}

int
jna_parse_raw(sx_arena_t *a, const char *src, size_t n, jna_node_t **out, jna_error_t *err,
              jna_parse_info_t *info)
{
    parser_t p = {.a = a, .err = err, .lx = {.src = src, .len = n, .a = a, .err = err}};
    jna_node_t *e;

    p.info.v21_pos = -1;
    p.node = jna_node_new(a, JN_END, 0);
    if (advance(&p, NULL, false) != SX_OK)
        return SX_ERR;
    e = expression(&p, 0);
    if (e == NULL)
        return SX_ERR;
    if (p.node->type != JN_END)
        return pfail(&p, "S0201", p.node->position, node_text(&p, p.node), NULL);
    if (info != NULL)
        *info = p.info;
    *out = e;
    return SX_OK;
}

/*
 * bill_cost.c: a month of a workflow under Express and Standard prices, and cost lints
 * (bill.h).
 *
 * The estimate multiplies one execution's figures (billed duration and memory, states
 * entered) by the executions of a 30-day month and prices them with bill_express_month and
 * bill_standard_month. The lints look at the compiled machine and the profile of one
 * execution (bill_profile_*):
 *   pass-choice-chain       Pass/Choice states linked to each other (a weakly connected
 *                           group of 2 or more in one graph): Standard bills each entry
 *   wait-duration           a Wait Express bills as duration (a share of the duration cost)
 *   wait-express-limit      a Wait of more than 5 minutes (Seconds): Express cannot run it;
 *                           flagged whether or not the measured run reached it
 *   duration-express-limit  the stated duration is over Express's 5 minutes
 *   map-fanout / parallel-fanout  transitions inside a Map/Parallel, multiplied per item or
 *                           branch
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stepx/bill.h"
#include "stepx/exec.h"

int
bill_estimate_month(const bill_pricing_t *p, int64_t executions, int64_t billed_ms,
                    int64_t billed_mb, uint64_t transitions, bill_estimate_t *e)
{
    memset(e, 0, sizeof(*e));
    e->executions = executions;
    e->billed_ms = billed_ms;
    e->billed_mb = billed_mb;
    e->mbms = bill_muldiv(executions, billed_ms, 1);
    if (e->mbms >= 0)
        e->mbms = bill_muldiv(e->mbms, billed_mb, 1);
    if (transitions > (uint64_t)INT64_MAX)
        goto overflow;
    e->transitions = bill_muldiv(executions, (int64_t)transitions, 1);
    if (e->mbms < 0 || e->transitions < 0 ||
        bill_express_month(p, executions, e->mbms, &e->express) != SX_OK)
        goto overflow;
    e->std_nusd = bill_standard_month(p, e->transitions, &e->std_billable);
    if (e->std_nusd < 0)
        goto overflow;
    return SX_OK;
overflow:
    memset(e, 0, sizeof(*e));
    return SX_ERR;
}

/* ---- lints ---- */

static void
lint_add(bill_lints_t *l, const char *code, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
lint_add(bill_lints_t *l, const char *code, const char *state, const char *fmt, ...)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sx_sbuf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = sx_realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n].code = code;
    l->v[l->n].state = state;
    l->v[l->n].msg = b.p;
    l->n++;
}

void
bill_lints_fini(bill_lints_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        sx_free(l->v[i].msg);
    sx_free(l->v);
    memset(l, 0, sizeof(*l));
}

typedef struct lctx {
    const asl_machine_t *m;
    const bill_profile_t *prof;
    const bill_estimate_t *e;
    const bill_pricing_t *p;
    int64_t duration_ms;  /* stated duration of one execution */
    bill_lints_t *l;
} lctx_t;

/* Standard cost per month of n transitions per execution (no free tier: a marginal cost). */
static const char *
std_month_usd(const lctx_t *c, uint64_t n, char *buf, size_t len)
{
    int64_t t = bill_muldiv(c->e->executions, (int64_t)n, 1);
    int64_t v = t < 0 ? -1 : bill_muldiv(t, c->p->std_nusd_per_1000, 1000);
    if (v < 0)
        return "(overflow)";
    return bill_money_fmt(v, 2, buf, len);
}

static bool
is_tiny(const asl_state_t *s)
{
    return s->type == ASL_STATE_PASS || s->type == ASL_STATE_CHOICE;
}

static uint32_t
uf_find(uint32_t *par, uint32_t x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

static void
uf_link(const asl_machine_t *m, uint32_t *par, uint32_t a, uint32_t b)
{
    if (b == ASL_NO_STATE || b >= m->nstates || !is_tiny(&m->states[b]))
        return;
    par[uf_find(par, a)] = uf_find(par, b);
}

static void
lint_chains(const lctx_t *c)
{
    const asl_machine_t *m = c->m;
    uint32_t *par = sx_malloc((m->nstates + 1) * sizeof(uint32_t));
    uint64_t tiny = c->prof->by_type[ASL_STATE_PASS] + c->prof->by_type[ASL_STATE_CHOICE];
    for (uint32_t i = 0; i < m->nstates; i++)
        par[i] = i;
    for (uint32_t i = 0; i < m->nstates; i++) {
        const asl_state_t *s = &m->states[i];
        if (!is_tiny(s))
            continue;
        if (s->type == ASL_STATE_PASS) {
            uf_link(m, par, i, s->end ? ASL_NO_STATE : s->next);
            continue;
        }
        uf_link(m, par, i, s->u.choice.deflt);
        for (uint32_t k = 0; k < s->u.choice.nbranches; k++)
            uf_link(m, par, i, s->u.choice.branches[k].next);
    }
    for (uint32_t r = 0; r < m->nstates; r++) {
        uint32_t size = 0, first = ASL_NO_STATE;
        uint64_t n = 0;
        sx_sbuf_t names = SX_SBUF_INIT;
        char usd[40];
        if (!is_tiny(&m->states[r]) || uf_find(par, r) != r)
            continue;
        for (uint32_t i = 0; i < m->nstates; i++) {
            if (!is_tiny(&m->states[i]) || uf_find(par, i) != r)
                continue;
            if (first == ASL_NO_STATE)
                first = i;
            if (size < 6)
                sx_sbuf_addf(&names, "%s%s", size ? ", " : "", size < 5 ? m->states[i].name
                                                                        : "...");
            size++;
            n += c->prof->entered[i];
        }
        if (size < 2 || (c->prof->per_state && n == 0)) { /* not entered: nothing billed */
            sx_sbuf_fini(&names);
            continue;
        }
        if (c->prof->per_state)
            lint_add(c->l, "pass-choice-chain", m->states[first].name,
                     "%u Pass/Choice states in a row (%s) are entered %llu times per "
                     "execution, %llu of %llu transitions: Standard bills them $%s a month; "
                     "fold them into fewer states (JSONata Output/Assign, intrinsics) or run "
                     "as Express",
                     size, names.p, (unsigned long long)n, (unsigned long long)n,
                     (unsigned long long)c->prof->transitions,
                     std_month_usd(c, n, usd, sizeof(usd)));
        else
            lint_add(c->l, "pass-choice-chain", m->states[first].name,
                     "%u Pass/Choice states in a row (%s); Pass and Choice states together "
                     "make %llu of %llu transitions per execution: Standard bills them $%s a "
                     "month; fold them into fewer states (JSONata Output/Assign, intrinsics) "
                     "or run as Express",
                     size, names.p, (unsigned long long)tiny,
                     (unsigned long long)c->prof->transitions,
                     std_month_usd(c, tiny, usd, sizeof(usd)));
        sx_sbuf_fini(&names);
    }
    sx_free(par);
}

static void
lint_wait(const lctx_t *c, const asl_state_t *s, uint64_t entered)
{
    char usd[40], usd2[40];
    if (s->u.wait.kind == ASL_WAIT_SECONDS && s->u.wait.jx == NULL) {
        int64_t ms = s->u.wait.seconds * 1000 * (int64_t)(entered ? entered : 1);
        if (s->u.wait.seconds * 1000 > EX_EXPRESS_MAX_MS) {
            lint_add(c->l, "wait-express-limit", s->name,
                     "Wait '%s' waits %lld s: Express stops executions after 5 minutes "
                     "(States.Timeout), so only Standard can run it (1 transition per wait)",
                     s->name, (long long)s->u.wait.seconds);
            return;
        }
        int64_t part = ms < c->e->billed_ms ? ms : c->e->billed_ms;
        int64_t share = c->e->billed_ms > 0
                            ? bill_muldiv(c->e->express.duration_nusd, part, c->e->billed_ms)
                            : 0;
        lint_add(c->l, "wait-duration", s->name,
                 "Wait '%s' (%lld s x %llu) is billed by Express as duration: about $%s of "
                 "the $%s a month of duration cost; Standard bills each wait as 1 transition",
                 s->name, (long long)s->u.wait.seconds, (unsigned long long)(entered ? entered : 1),
                 bill_money_fmt(share < 0 ? 0 : share, 2, usd, sizeof(usd)),
                 bill_money_fmt(c->e->express.duration_nusd, 2, usd2, sizeof(usd2)));
        return;
    }
    lint_add(c->l, "wait-duration", s->name,
             "Wait '%s' waits until a timestamp or for a time from the data: Express bills "
             "the waiting as "
             "duration (and stops executions after 5 minutes); Standard bills 1 transition",
             s->name);
}

/* Transitions inside each Map/Parallel state (nested ones included), per execution. */
static void
inner_counts(const asl_machine_t *m, const bill_profile_t *prof, uint64_t *inner)
{
    uint32_t *owner = sx_malloc((m->ngraphs + 1) * sizeof(uint32_t));
    for (uint32_t g = 0; g < m->ngraphs; g++)
        owner[g] = ASL_NO_STATE;
    for (uint32_t i = 0; i < m->nstates; i++) {
        const asl_state_t *s = &m->states[i];
        if (s->type == ASL_STATE_MAP && s->u.map.graph < m->ngraphs)
            owner[s->u.map.graph] = i;
        if (s->type == ASL_STATE_PARALLEL)
            for (uint32_t b = 0; b < s->u.par.nbranches; b++)
                if (s->u.par.branches[b] < m->ngraphs)
                    owner[s->u.par.branches[b]] = i;
    }
    for (uint32_t i = 0; i < m->nstates; i++) {
        uint32_t depth = 0;
        for (uint32_t o = owner[m->states[i].graph]; o != ASL_NO_STATE && depth < m->nstates;
             o = owner[m->states[o].graph], depth++)
            inner[o] += prof->entered[i];
    }
    sx_free(owner);
}

static void
lint_fanout_one(const lctx_t *c, const asl_state_t *s, uint64_t inner)
{
    char usd[40];
    if (s->type == ASL_STATE_PARALLEL)
        lint_add(c->l, "parallel-fanout", s->name,
                 "Parallel '%s' runs %u branches: %llu of %llu transitions per execution "
                 "are inside it ($%s a month under Standard)",
                 s->name, s->u.par.nbranches, (unsigned long long)inner,
                 (unsigned long long)c->prof->transitions,
                 std_month_usd(c, inner, usd, sizeof(usd)));
    else if (c->prof->measured)
        lint_add(c->l, "map-fanout", s->name,
                 "Map '%s': %llu of %llu transitions per execution are inside it "
                 "($%s a month under Standard); they grow with the number of items",
                 s->name, (unsigned long long)inner, (unsigned long long)c->prof->transitions,
                 std_month_usd(c, inner, usd, sizeof(usd)));
    else
        lint_add(c->l, "map-fanout", s->name,
                 "Map '%s': its %llu transitions per item are counted here for ONE item; "
                 "Standard bills them once per item",
                 s->name, (unsigned long long)inner);
}

static void
lint_fanout(const lctx_t *c)
{
    const asl_machine_t *m = c->m;
    char usd[40];
    if (c->prof->inner == 0)
        return;
    if (!c->prof->per_state && m->nmappar != 1) {
        /* the history does not say which Map/Parallel a transition belongs to */
        lint_add(c->l, "map-fanout", NULL,
                 "%llu of %llu transitions per execution are inside Map/Parallel states "
                 "(%llu Map iterations, %llu Parallel runs): $%s a month under Standard",
                 (unsigned long long)c->prof->inner, (unsigned long long)c->prof->transitions,
                 (unsigned long long)c->prof->map_iterations,
                 (unsigned long long)c->prof->parallel_runs,
                 std_month_usd(c, c->prof->inner, usd, sizeof(usd)));
        return;
    }
    uint64_t *inner = sx_calloc(m->nstates + 1, sizeof(uint64_t));
    inner_counts(m, c->prof, inner);
    for (uint32_t i = 0; i < m->nstates; i++) {
        const asl_state_t *s = &m->states[i];
        if (s->type != ASL_STATE_MAP && s->type != ASL_STATE_PARALLEL)
            continue;
        uint64_t n = c->prof->per_state ? inner[i] : c->prof->inner; /* the only one */
        if (n > 0)
            lint_fanout_one(c, s, n);
    }
    sx_free(inner);
}

void
bill_lints_find(const asl_machine_t *m, const bill_profile_t *prof, const bill_estimate_t *e,
                const bill_pricing_t *p, int64_t duration_ms, bill_lints_t *l)
{
    lctx_t c = {m, prof, e, p, duration_ms, l};
    if (prof->entered == NULL || prof->nstates != m->nstates)
        return; /* no profile (a run that failed to report) */
    if (duration_ms > EX_EXPRESS_MAX_MS)
        lint_add(l, "duration-express-limit", NULL,
                 "executions of %lld ms are over Express's 5 minutes (States.Timeout): only "
                 "Standard can run them",
                 (long long)duration_ms);
    else if (prof->measured && prof->run_ms > EX_EXPRESS_MAX_MS)
        lint_add(l, "duration-express-limit", NULL,
                 "the run took %lld ms of waiting on the virtual clock, over Express's 5 "
                 "minutes (States.Timeout): only Standard can run it",
                 (long long)prof->run_ms);
    lint_chains(&c);
    uint32_t nwait = 0;
    for (uint32_t i = 0; i < m->nstates; i++)
        nwait += m->states[i].type == ASL_STATE_WAIT;
    for (uint32_t i = 0; i < m->nstates; i++) {
        if (m->states[i].type != ASL_STATE_WAIT)
            continue;
        /* without per-state counts a lone Wait state owns every Wait entry */
        uint64_t n = prof->per_state ? prof->entered[i]
                                     : nwait == 1 ? prof->by_type[ASL_STATE_WAIT] : 1;
        /* a Wait over 5 minutes is flagged even when this run did not reach it */
        if (n > 0 || !prof->measured || m->states[i].u.wait.seconds * 1000 > EX_EXPRESS_MAX_MS)
            lint_wait(&c, &m->states[i], n);
    }
    lint_fanout(&c);
}

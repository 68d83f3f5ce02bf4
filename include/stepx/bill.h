/*
 * bill.h: metering and cost: the price list, billed units, monthly cost with tiers, usage
 * read back from Redis, and the cost estimate of a definition.
 *
 * Money is an int64_t count of nano-dollars (1 USD = 10^9 nUSD; the smallest list price,
 * $0.000001 per request, is 1000 nUSD). Every computed amount is an exact rational number
 * rounded ONCE to the nano-dollar, half up; 128-bit intermediates keep products exact. Printed
 * amounts are rounded half up again to the decimals asked for (bill_money_fmt). There is no
 * floating point in any amount.
 *
 * Units (spec/express.md §5):
 *   billed duration  100 ms steps, minimum 100 ms           (bill_duration_billed_ms)
 *   billed memory    64 MB chunks, minimum 64 MB            (bill_memory_billed_mb)
 *   usage            MB·ms = billed MB x billed ms; 1 GB-s = 1,024,000 MB·ms,
 *                    1 GB-h = 3,686,400,000 MB·ms (AWS: GB-s = MB / 1024 x ms / 1000)
 * Express tiers (GB-hours per calendar month) restart every month; Standard's free
 * transitions are per month too.
 *
 * Memory estimate (AWS's published formula): 50 MB + definition bytes + execution data bytes
 * x number of Parallel/Map steps, in DECIMAL megabytes (1 MB = 10^6 bytes, 1 KB = 1000 bytes),
 * which is what AWS's worked example uses: 50 KB definition + 400 steps x 32 KB = 62.85 MB ->
 * billed 64 MB. The billed chunk boundary is 64 x 10^6 bytes accordingly.
 */
#ifndef STEPX_BILL_H
#define STEPX_BILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stepx/asl.h"
#include "stepx/cfg.h"
#include "stepx/sx.h"
#include "stepx/val.h"

/* ---- money ---- */

#define BILL_NUSD_PER_USD 1000000000LL
#define BILL_MBMS_PER_GBS 1024000LL    /* MB·ms in one GB-second */
#define BILL_MBMS_PER_GBH 3686400000LL /* MB·ms in one GB-hour */
#define BILL_MONTH_S 2592000LL         /* the 30-day month of `stepx cost` */

/* Parses a decimal dollar amount ("0.00001667", "25", "1e-6" is refused) with at most 9
 * fractional digits into *nusd. Returns SX_OK or SX_ERR (syntax, sign, > 9 decimals,
 * overflow). */
int bill_money_parse(const char *s, int64_t *nusd);

/* Formats nusd as dollars with `decimals` (0..9) fractional digits, rounded half up (away
 * from zero), e.g. 482969444444 with 2 -> "482.97". buf holds at least 32 bytes. Returns buf. */
char *bill_money_fmt(int64_t nusd, int decimals, char *buf, size_t len);

/* Appends nusd as an exact JSON number of dollars (trailing zeros trimmed: 482.969444444,
 * 100, 0.000001). */
void bill_money_json(sx_sbuf_t *b, int64_t nusd);

/* Returns round_half_up(a * b / d) for a, b >= 0 and d > 0, or -1 when the result does not
 * fit an int64_t. Exact (128-bit product). */
int64_t bill_muldiv(int64_t a, int64_t b, int64_t d);

/* ---- billed units ---- */

/* Billed duration: ms rounded up to the next 100 ms, minimum 100 (ms <= 0 counts as 1). */
int64_t bill_duration_billed_ms(int64_t ms);

/* AWS's memory estimate in bytes: 50 MB + def_bytes + data_bytes x steps, where steps is the
 * number of Parallel/Map steps (Map iterations plus Parallel branch runs). Saturates at
 * INT64_MAX. */
int64_t bill_memory_estimate_bytes(uint64_t def_bytes, uint64_t data_bytes, uint64_t steps);

/* Billed memory in MB for an estimate in bytes: 64 x ceil(bytes / 64 MB), minimum 64. */
int64_t bill_memory_billed_mb(int64_t bytes);

/* Billed memory for a stated size in MB (--memory-mb): 64 x ceil(mb / 64), minimum 64. */
int64_t bill_memory_billed_from_mb(int64_t mb);

/* ---- the price list (conf/pricing.conf) ---- */

#define BILL_TIERS 3

typedef struct bill_pricing {
    int64_t request_nusd;                /* per Express request (execution started) */
    int64_t tier_gbh[BILL_TIERS - 1];    /* sizes of the first tiers, GB-hours per month */
    int64_t tier_nusd_gbh[BILL_TIERS];   /* price of one GB-hour in each tier */
    int64_t std_nusd_per_1000;           /* Standard: price of 1000 state transitions */
    int64_t std_free_transitions;        /* Standard: free transitions per month */
} bill_pricing_t;

/* Fills p with the built-in defaults: AWS us-east-1 list prices (spec/express.md §5). */
void bill_pricing_default(bill_pricing_t *p);

/* Loads defaults, then the pricing file at path (NULL = defaults only), directive by
 * directive (cfg.h format; see conf/pricing.conf). Returns SX_OK, or SX_ERR with
 * "path:line: ..." in err. */
int bill_pricing_load(bill_pricing_t *p, const char *path, cfg_err_t *err);

/* Parses pricing text as if it were the file `origin` (for tests). */
int bill_pricing_load_text(bill_pricing_t *p, const char *origin, const char *text,
                           cfg_err_t *err);

/* Express cost of one calendar month of usage. */
typedef struct bill_express_cost {
    int64_t requests_nusd;            /* requests x request price */
    int64_t tier_mbms[BILL_TIERS];    /* usage that fell in each tier, MB·ms */
    int64_t tier_nusd[BILL_TIERS];    /* cost of each tier's usage */
    int64_t duration_nusd;            /* sum of tier_nusd */
    int64_t total_nusd;               /* requests + duration */
} bill_express_cost_t;

/* Prices `requests` executions and `mbms` MB·ms used within ONE month (tiers from zero).
 * Returns SX_OK, or SX_ERR when an amount overflows an int64_t (out left zeroed). */
int bill_express_month(const bill_pricing_t *p, int64_t requests, int64_t mbms,
                       bill_express_cost_t *out);

/* Standard cost of `transitions` in one month: the free transitions are deducted, the rest
 * is priced per 1000 (exactly, not rounded up to a whole 1000). *billable (if not NULL)
 * gets the transitions charged. Returns the cost, or -1 on overflow. */
int64_t bill_standard_month(const bill_pricing_t *p, int64_t transitions, int64_t *billable);

/* ---- usage read back from Redis (docs/metering.md) ---- */

/* Final statuses counted per machine, in this order. */
enum { BILL_ST_SUCCEEDED = 0, BILL_ST_FAILED, BILL_ST_TIMED_OUT, BILL_ST_ABORTED, BILL_NSTATUS };
extern const char *const bill_status_names[BILL_NSTATUS];

typedef struct bill_counts {
    int64_t requests;             /* executions finished (Express requests) */
    int64_t billed_ms;            /* sum of billed durations */
    int64_t billed_mb_ms;         /* sum of billed MB x billed ms */
    int64_t transitions;          /* state transitions */
    int64_t status[BILL_NSTATUS]; /* executions per final status */
} bill_counts_t;

/* The counters of one machine of one tenant in one calendar month. */
typedef struct bill_row {
    char *tenant;       /* heap, owned by the usage */
    char *machine;      /* heap, owned by the usage */
    char month[8];      /* "YYYY-MM", or "" for the all-time hash */
    bill_counts_t c;    /* summed counters */
    int64_t cost_nusd;  /* requests + its share of the month's duration cost (bill_usage_price) */
} bill_row_t;

typedef struct bill_usage {
    bill_row_t *rows;   /* heap; sorted by tenant, month, machine after bill_usage_done */
    size_t n, cap;      /* rows used / allocated */
    int64_t skipped;    /* hash fields that are not usage counters (ignored) */
} bill_usage_t;

void bill_usage_init(bill_usage_t *u);
void bill_usage_fini(bill_usage_t *u);

/* Adds one hash field "<machine>|<metric>" with its integer value to the row (tenant, month;
 * month "" = all-time). Metrics: requests, billed_ms, billed_mb_ms, transitions and the
 * status names. Returns SX_OK, SX_DECLINED for a field that is no usage counter (counted in
 * u->skipped), or SX_ERR when the value is not an integer. Copies the strings. */
int bill_usage_add(bill_usage_t *u, const char *tenant, const char *month, const char *field,
                   size_t flen, const char *value, size_t vlen);

/* Sorts the rows and merges duplicates (same tenant, month and machine). */
void bill_usage_done(bill_usage_t *u);

/* True when s is a real calendar date written YYYY-MM-DD (exactly 10 bytes). */
bool bill_day_valid(const char *s, size_t len);

/* Splits a usage key "{tag}:usage:<tenant>" (all-time) or "{tag}:usage:<tenant>:<YYYY-MM-DD>"
 * (day bucket). On SX_OK *tenant / *tlen point into key and day is "" or the date. Returns
 * SX_DECLINED for a key that is not a usage key of tag. */
int bill_usage_key_parse(const char *key, size_t len, const char *tag, const char **tenant,
                         size_t *tlen, char day[11]);

struct redisContext;
/* Reads usage from Redis over a connected synchronous hiredis context (borrowed): the
 * all-time hashes when since is NULL, else the day buckets from since to until (inclusive,
 * YYYY-MM-DD; until NULL = today, UTC). tenant NULL = every tenant (found with SCAN). Adds to
 * u and calls bill_usage_done. Returns SX_OK, or SX_ERR with a reason in err. */
int bill_usage_read(struct redisContext *c, const char *tag, const char *tenant,
                    const char *since, const char *until, bill_usage_t *u, char *err,
                    size_t errlen);

/* Prices the rows: per tenant and calendar month, Express tiers from zero (the all-time rows
 * are priced as one month); each row gets its requests plus a share of its month's duration
 * cost proportional to its MB·ms. Returns SX_OK or SX_ERR on overflow. */
int bill_usage_price(bill_usage_t *u, const bill_pricing_t *p);

/* Prints priced usage (after bill_usage_price) as one JSON document and a newline: period,
 * per tenant its totals, months (with the GB-hours of each tier) and machines, then the grand
 * total. since NULL = the all-time hashes. Money is exact decimal dollars (up to 9 decimals). */
void bill_usage_json(const bill_usage_t *u, const bill_pricing_t *p, const char *since,
                     const char *until, sx_sbuf_t *b);

/* Prints the same as a text table (one line per tenant and machine, tenant totals, grand
 * total), costs rounded to the micro-dollar. */
void bill_usage_table(const bill_usage_t *u, const bill_pricing_t *p, const char *since,
                      const char *until, sx_sbuf_t *b);

/* ---- cost estimate of a definition (stepx cost) ---- */

/* What one execution does, measured by one run or estimated statically. */
typedef struct bill_profile {
    bool measured;            /* true: one run on the virtual clock; false: static walk */
    char run_status[16];      /* final status of the run ("" when it did not finish) */
    char *run_error;          /* heap: "Error: cause" of a run that did not succeed, or NULL */
    uint64_t transitions;     /* states entered by one execution (retries included) */
    uint64_t steps;           /* Parallel/Map steps: Map iterations + Parallel branch runs */
    int64_t run_ms;           /* duration of the run on the virtual clock (Waits, sleeps) */
    uint32_t nstates;         /* machine's state count */
    uint64_t *entered;        /* heap: times each state (by index) was entered; valid only
                                 when per_state (history events that name their state) */
    bool per_state;           /* entered[] is known */
    uint64_t by_type[8];      /* states entered per asl_state_type_t */
    uint64_t map_iterations;  /* Map iterations run */
    uint64_t parallel_runs;   /* Parallel states started (retries included) */
    uint64_t inner;           /* transitions inside Map/Parallel states */
} bill_profile_t;

/* Runs m once on input (borrowed) in a child process on a virtual clock (--fast-waits
 * semantics), as a STANDARD execution so that no Express limit cuts it; Tasks are served by
 * the arn:stepx:test:* resource, any other Resource answers with its input. Counts the states
 * entered from the history: per type always, per state when the events name their state
 * (stateEnteredEventDetails.name; the engine's history does not yet), transitions inside
 * Map/Parallel from the nesting of *StateStarted / *StateSucceeded|Failed events. Returns
 * SX_OK with p filled (whatever the run's status), SX_AGAIN when the run did not finish
 * within timeout_ms of wall time (an endless loop), SX_ERR when it could not run at all. */
int bill_profile_run(asl_machine_t *m, const val_t *input, int64_t timeout_ms,
                     bill_profile_t *p);

/* Static estimate: walks each graph from StartAt, following Next, a Choice's Default (else
 * its first rule), every Parallel branch and a Map processor for ONE item; each state counts
 * once (loops once, Retry and Catch never). */
void bill_profile_static(const asl_machine_t *m, bill_profile_t *p);
void bill_profile_fini(bill_profile_t *p);

/* A 30-day month of a workflow under both price lists. */
typedef struct bill_estimate {
    int64_t executions;        /* per month */
    int64_t billed_ms;         /* per execution */
    int64_t billed_mb;         /* per execution */
    int64_t mbms;              /* per month, MB·ms */
    bill_express_cost_t express; /* Express month */
    int64_t transitions;       /* per month */
    int64_t std_billable;      /* transitions charged after the free ones */
    int64_t std_nusd;          /* Standard month */
} bill_estimate_t;

/* Prices `executions` per month of billed_ms x billed_mb, each entering `transitions`
 * states. Returns SX_OK or SX_ERR on overflow. */
int bill_estimate_month(const bill_pricing_t *p, int64_t executions, int64_t billed_ms,
                        int64_t billed_mb, uint64_t transitions, bill_estimate_t *e);

/* One cost lint. */
typedef struct bill_lint {
    const char *code;  /* "pass-choice-chain", "wait-duration", "wait-express-limit",
                          "duration-express-limit", "map-fanout", "parallel-fanout" */
    const char *state; /* machine-arena state name, or NULL */
    char *msg;         /* heap: one sentence with the figures */
} bill_lint_t;

typedef struct bill_lints {
    bill_lint_t *v;    /* heap */
    size_t n, cap;
} bill_lints_t;

/* Finds cost lints: Pass/Choice chains Standard bills per transition, Waits Express bills
 * as duration (and any that Express cannot run, > 5 minutes), Map/Parallel fan-out
 * multiplying transitions. duration_ms is the stated execution duration. Appends to l. */
void bill_lints_find(const asl_machine_t *m, const bill_profile_t *prof,
                     const bill_estimate_t *e, const bill_pricing_t *p, int64_t duration_ms,
                     bill_lints_t *l);
void bill_lints_fini(bill_lints_t *l);

#endif

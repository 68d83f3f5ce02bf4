/*
 * test_wk_metrics.c: stepxd's per-worker counters: histogram buckets (upper bounds are
 * inclusive, the last bucket is +Inf), tenant slots (one per name, "_other" once all are
 * taken).
 */
#include <stdio.h>
#include <string.h>

#include "../sx_test.h"
#include "worker/wk_int.h"

static void
test_hist(void)
{
    static wk_hist_t h;
    memset(&h, 0, sizeof(h));
    wk_hist_observe(&h, -5);     /* clamped to 0 -> first bucket (le 1) */
    wk_hist_observe(&h, 1);      /* le 1 */
    wk_hist_observe(&h, 2);      /* le 2 */
    wk_hist_observe(&h, 3);      /* le 5 */
    wk_hist_observe(&h, 300000); /* le 300000, the last bound */
    wk_hist_observe(&h, 300001); /* +Inf */
    CHECK_INT(wk_ctr_get(&h.bucket[0]), 2);
    CHECK_INT(wk_ctr_get(&h.bucket[1]), 1);
    CHECK_INT(wk_ctr_get(&h.bucket[2]), 1);
    CHECK_INT(wk_ctr_get(&h.bucket[WK_LAT_N - 1]), 1);
    CHECK_INT(wk_ctr_get(&h.bucket[WK_LAT_N]), 1);
    CHECK_INT(wk_ctr_get(&h.count), 6);
    CHECK_INT(wk_ctr_get(&h.sum_ms), 0 + 1 + 2 + 3 + 300000 + 300001);
}

static void
test_tenants(void)
{
    static wk_stats_t st;
    char name[32];
    memset(&st, 0, sizeof(st));
    wk_tenant_t *a = wk_tenant_slot(&st, "acme");
    CHECK(wk_tenant_slot(&st, "acme") == a);
    CHECK(wk_tenant_slot(&st, "globex") != a);
    for (int i = 0; i < WK_TENANTS; i++) {
        snprintf(name, sizeof(name), "t%d", i);
        wk_tenant_slot(&st, name);
    }
    wk_tenant_t *o = wk_tenant_slot(&st, "one-too-many");
    CHECK(o == &st.tenants[WK_TENANTS]);
    CHECK_STR(o->name, "_other");
    CHECK(wk_tenant_slot(&st, "another") == o);
    CHECK(wk_tenant_slot(&st, "acme") == a); /* existing names keep their slot */
    wk_ctr_add(&a->requests, 3);
    wk_ctr_add(&a->requests, 4);
    CHECK_INT(wk_ctr_get(&a->requests), 7);
}

static const sx_test_t tests[] = {
    {"hist", test_hist},
    {"tenants", test_tenants},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("worker_metrics", tests, argc, argv);
}

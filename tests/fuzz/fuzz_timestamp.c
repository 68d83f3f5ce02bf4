/*
 * fuzz_timestamp.c: libFuzzer target for sx_ts_parse (src/base/timestamp.c).
 *
 * Checks, beyond "no crash / no out-of-bounds read" (the input buffer is exactly sized, so
 * ASan catches any read past n): a parsed instant has nsec in range, and printing it back
 * as a UTC timestamp and parsing that gives the same instant (when the UTC year stays within
 * 0000..9999, which an offset can push across).
 * Build: cmake -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang; run: fuzz_timestamp
 * tests/fuzz/corpus/timestamp
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/sx.h"
#include "stepx/timestamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Hinnant's civil_from_days: days since 1970-01-01 to y-m-d. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sx_ts_t t, u;
    char buf[64];
    int64_t y;
    int m, d;

    if (sx_ts_parse((const char *)data, size, &t) != SX_OK)
        return 0;
    if (t.nsec < 0 || t.nsec > 999999999)
        abort();
    int64_t days = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
    int64_t sod = t.sec - days * 86400;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return 0;
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", (int)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)t.nsec);
    if (sx_ts_parse(buf, strlen(buf), &u) != SX_OK || sx_ts_cmp(&t, &u) != 0)
        abort();
    return 0;
}

/*
 * timestamp.h: the RFC3339 timestamp profile of Amazon States Language.
 *
 * Used by the Choice Timestamp* operators and IsTimestamp (asl_choice.h), by the Wait state's
 * Timestamp / TimestampPath, and by the definition validator ("String does not match RFC3339
 * timestamp"). The accepted grammar, exactly (no whitespace, ASCII only):
 *
 *   YYYY-MM-DD "T" hh:mm:ss [ "." 1*9DIGIT ] ( "Z" | ("+" / "-") hh:mm )
 *
 * - uppercase T and Z only (the ASL spec's restriction on RFC3339); lowercase, a space instead
 *   of T, or a missing zone designator are rejected (recorded: "2016-12-05T21:29:29" fails);
 * - every field has exactly two digits (year four); year 0000..9999;
 * - calendar checked (month 01..12, day within the month, leap years: recorded
 *   "2016-13-05T21:29:29Z" fails); hour 00..23 (recorded "25:29:29" fails), minute 00..59,
 *   second 00..59 (no leap second, as java.time rejects it);
 * - fraction: one to nine digits (nanosecond precision);
 * - numeric offset up to +-18:00 (the java.time ZoneOffset range), minutes 00..59; "-00:00"
 *   is UTC. No recording shows AWS accepting or rejecting an offset; RFC3339 and the
 *   "ISO-8601 extended offset date-time" wording of AWS's errors both allow it.
 *
 * A parsed timestamp is an instant: seconds since the Unix epoch (UTC, may be negative) plus
 * nanoseconds. The pair, rather than one int64 of nanoseconds, keeps years 0000..9999 exact
 * (int64 nanoseconds only spans 1677..2262). Comparisons are between instants, so
 * "2012-10-09T20:00:55+01:00" equals "2012-10-09T19:00:55Z". Nothing here allocates.
 */
#ifndef STEPX_TIMESTAMP_H
#define STEPX_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sx_ts {
    int64_t sec;  /* seconds since 1970-01-01T00:00:00Z, floor (negative before 1970) */
    int32_t nsec; /* nanoseconds within the second, 0..999999999 */
} sx_ts_t;

/* Parses the n bytes at s (need not be NUL-terminated) as an ASL timestamp. Returns SX_OK
 * and the instant in *out (out may be NULL to only validate), or SX_ERR when s does not match
 * the profile above (then *out is untouched). Borrows s. */
int sx_ts_parse(const char *s, size_t n, sx_ts_t *out);

/* Returns true when the n bytes at s are a valid ASL timestamp. */
bool sx_ts_valid(const char *s, size_t n);

/* Returns <0, 0 or >0 as instant a is before, equal to or after b. */
int sx_ts_cmp(const sx_ts_t *a, const sx_ts_t *b);

/* Returns the instant in milliseconds since the epoch, truncated toward the earlier
 * millisecond (floor); never overflows for the years the parser accepts. */
int64_t sx_ts_epoch_ms(const sx_ts_t *t);

/* Stores the instant in nanoseconds since the epoch in *ns. Returns SX_OK, or SX_ERR when it
 * does not fit an int64 (before 1677-09-21 or after 2262-04-11). */
int sx_ts_epoch_ns(const sx_ts_t *t, int64_t *ns);

#endif

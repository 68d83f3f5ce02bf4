/*
 * bench_pace.h: the producer loop's two halves shared by bench_ceiling and bench_produce
 * (header-only: each bench is one executable).
 */
#ifndef STEPX_BENCH_PACE_H
#define STEPX_BENCH_PACE_H

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stepx/sx.h"

/* Open loop: sleeps until event number `sent` is due at `rate` events/s from `start` (ns). */
static inline void
bench_pace(uint64_t start, int64_t sent, int64_t rate)
{
    uint64_t due = start + (uint64_t)((double)sent * 1e9 / (double)rate);
    uint64_t now = sx_mono_ns();
    if (due > now) {
        struct timespec ts = {(time_t)((due - now) / 1000000000), (long)((due - now) % 1000000000)};
        nanosleep(&ts, NULL);
    }
}

/* Reads the n replies of a pipelined round; exits on an error (who prefixes the message). */
static inline void
bench_replies(redisContext *r, int64_t n, const char *who)
{
    for (int64_t i = 0; i < n; i++) {
        redisReply *rep;
        if (redisGetReply(r, (void **)&rep) != REDIS_OK) {
            fprintf(stderr, "%s: %s\n", who, r->errstr);
            exit(1);
        }
        if (rep->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "%s: %s\n", who, rep->str);
            exit(1);
        }
        freeReplyObject(rep);
    }
}

#endif

/*
 * jna_lib_date_int.h: what the date/time formatter (jna_lib_date.c) and parser
 * (jna_lib_dateparse.c) share: the analysed XPath date/time picture and calendar helpers.
 */
#ifndef SX_JNA_LIB_DATE_INT_H
#define SX_JNA_LIB_DATE_INT_H

#include "jna_lib_int.h"

#define JNA_MS_PER_DAY 86400000.0

typedef enum dt_names { DT_NAMES_NONE, DT_NAMES_LOWER, DT_NAMES_UPPER, DT_NAMES_TITLE } dt_names_t;

typedef struct dt_part {
    bool literal;        /* literal text or a [marker] */
    const char *text;    /* literal text (arena, "]]" already folded) */
    size_t len;          /* literal length in bytes */
    char component;      /* marker: component letter ('\0' when the marker is empty) */
    const char *pres1;   /* first presentation modifier (arena) */
    char pres2;          /* second modifier ('a' 't' 'c' 'o') or '\0' */
    double width_min;    /* NaN when absent or '*' */
    double width_max;    /* NaN when absent or '*' */
    bool has_width;      /* a ",width" was given */
    dt_names_t names;    /* name presentation */
    bool has_ifmt;       /* integer presentation analysed */
    jna_ipic_t ifmt;     /* integer picture */
    int n;               /* year digits to keep, -1 = all */
} dt_part_t;

typedef struct dt_pic {
    dt_part_t *parts; /* arena */
    int nparts;
} dt_pic_t;

/* Analyses a date/time picture (jsonata's analyseDateTimePicture). Errors: D3135 (no ']'),
 * D3132 (unknown component without presentation), D3131. */
int jna_dt_pic_parse(jna_fctx_t *c, const char *pic, size_t n, dt_pic_t *out);

/* Records D3133 (names asked for component comp) and returns SX_ERR. */
int jna_dt_names_fail(jna_fctx_t *c, char comp);

/* Calendar (proleptic Gregorian, UTC). */
int64_t jna_days_from_civil(int64_t y, int m, int d); /* m 1..12 */
void jna_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* Fields of an instant as getDateTimeFragment computes them. */
typedef struct dt_fields {
    int64_t year;
    int month, day, yday, wday; /* month 1..12; wday 1 = Monday .. 7 = Sunday */
    int hour, minute, second, ms;
    int iso_week;               /* W */
    int64_t iso_year;           /* X */
    int month_week;             /* w */
    int week_month;             /* x: month (1..12) owning the week */
} dt_fields_t;

void jna_dt_fields(double ms, dt_fields_t *f);
/* Integer value of component `comp` of f (P: 0 am / 1 pm). */
double jna_dt_component(const dt_fields_t *f, char comp);

extern const char *const jna_month_names[12];
extern const char *const jna_day_names[8]; /* [1] Monday .. [7] Sunday */

#endif

/*
 * jna_lib_date.c: $now $millis $fromMillis and the date/time picture analysis shared with
 * $toMillis (jna_lib_dateparse.c).
 *
 * A picture is literal text with [markers]: "[[" and "]]" are literal brackets, whitespace in
 * a marker is ignored, a marker is a component letter, optional presentation modifiers and
 * an optional ",min-max" width. Integer components are formatted with jsonata's integer
 * pictures (jna_ipic_*), names (n, N, Nn) for months and days. A timezone "+HHMM" shifts the
 * instant before the fields are read, with the reference's floor/% arithmetic (so "-0530" is
 * handled as -6h +(-30)m exactly as jsonata-js does). All fields are UTC.
 */
#include <math.h>
#include <stdlib.h>

#include "jna_lib_date_int.h"

const char *const jna_month_names[12] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
const char *const jna_day_names[8] = {"",         "Monday", "Tuesday",  "Wednesday",
                                      "Thursday", "Friday", "Saturday", "Sunday"};

static const char *const iso_picture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

/* ---- calendar ---- */

int64_t
jna_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
jna_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
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

static int
weekday_of(int64_t days) /* 1 = Monday .. 7 = Sunday; day 0 was a Thursday */
{
    int64_t w = (days + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

/* Start (day number) of week 1 of the month (or year, month 1) holding the first Thursday. */
static int64_t
first_week_start(int64_t y, int m)
{
    int64_t first;
    int dow;

    while (m < 1)
        m += 12, y--;
    while (m > 12)
        m -= 12, y++;
    first = jna_days_from_civil(y, m, 1);
    dow = weekday_of(first);
    return dow > 4 ? first + (8 - dow) : first - (dow - 1);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void
jna_dt_fields(double ms, dt_fields_t *f)
{
    int64_t t = (int64_t)ms, days = floor_div(t, 86400000), rem = t - days * 86400000, s;

    jna_civil_from_days(days, &f->year, &f->month, &f->day);
    f->yday = (int)(days - jna_days_from_civil(f->year, 1, 1)) + 1;
    f->wday = weekday_of(days);
    f->hour = (int)(rem / 3600000);
    f->minute = (int)(rem / 60000 % 60);
    f->second = (int)(rem / 1000 % 60);
    f->ms = (int)(rem % 1000);
    /* ISO week of year */
    s = first_week_start(f->year, 1);
    if (days < s) {
        f->iso_year = f->year - 1;
        f->iso_week = (int)((days - first_week_start(f->year - 1, 1)) / 7) + 1;
    } else if (days >= first_week_start(f->year + 1, 1)) {
        f->iso_year = f->year + 1;
        f->iso_week = 1;
    } else {
        f->iso_year = f->year;
        f->iso_week = (int)((days - s) / 7) + 1;
    }
    /* week of month */
    s = first_week_start(f->year, f->month);
    if (days < s) {
        f->week_month = f->month == 1 ? 12 : f->month - 1;
        f->month_week = (int)((days - first_week_start(f->year, f->month - 1)) / 7) + 1;
    } else if (days >= first_week_start(f->year, f->month + 1)) {
        f->week_month = f->month == 12 ? 1 : f->month + 1;
        f->month_week = 1;
    } else {
        f->week_month = f->month;
        f->month_week = (int)((days - s) / 7) + 1;
    }
}

double
jna_dt_component(const dt_fields_t *f, char comp)
{
    switch (comp) {
    case 'Y':
        return (double)f->year;
    case 'M':
        return f->month;
    case 'D':
        return f->day;
    case 'd':
        return f->yday;
    case 'F':
        return f->wday;
    case 'W':
        return f->iso_week;
    case 'X':
        return (double)f->iso_year;
    case 'w':
        return f->month_week;
    case 'x':
        return f->week_month;
    case 'H':
        return f->hour;
    case 'h':
        return f->hour % 12 == 0 ? 12 : f->hour % 12;
    case 'P':
        return f->hour >= 12 ? 1 : 0;
    case 'm':
        return f->minute;
    case 's':
        return f->second;
    case 'f':
        return f->ms;
    default:
        return NAN;
    }
}

/* ---- picture analysis ---- */

static const char *
default_presentation(char comp)
{
    switch (comp) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'f':
        return "1";
    case 'F':
    case 'P':
    case 'C':
    case 'E':
        return "n";
    case 'm':
    case 's':
        return "01";
    case 'Z':
    case 'z':
        return "01:01";
    default:
        return NULL;
    }
}

static void
add_literal(jna_fctx_t *c, dt_pic_t *p, const char *s, size_t n)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    dt_part_t *part;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        sx_sbuf_addc(&b, s[i]);
        if (s[i] == ']' && i + 1 < n && s[i + 1] == ']')
            i++;
    }
    part = &p->parts[p->nparts++];
    memset(part, 0, sizeof(*part));
    part->literal = true;
    part->text = sx_arena_strndup(c->arena, b.p, b.len);
    part->len = b.len;
    sx_sbuf_fini(&b);
}

static double
parse_width(const char *s, size_t n)
{
    size_t i = 0;
    double v = 0;

    if (n == 0 || (n == 1 && s[0] == '*'))
        return NAN;
    if (s[0] == '-' || s[0] == '+') /* parseInt keeps a sign */
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return NAN;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    return s[0] == '-' ? -v : v;
}

static int
analyse_marker(jna_fctx_t *c, dt_part_t *d, const char *m, size_t n)
{
    const char *pres;
    size_t plen, comma = n;

    memset(d, 0, sizeof(*d));
    d->component = n > 0 ? m[0] : '\0';
    d->width_min = d->width_max = NAN;
    d->n = -1;
    for (size_t i = n; i > 0; i--)
        if (m[i - 1] == ',') {
            comma = i - 1;
            break;
        }
    if (comma < n) {
        const char *w = m + comma + 1;
        size_t wl = n - comma - 1, dash = wl;
        for (size_t i = 0; i < wl; i++)
            if (w[i] == '-') {
                dash = i;
                break;
            }
        d->has_width = true;
        d->width_min = parse_width(w, dash);
        if (dash < wl)
            d->width_max = parse_width(w + dash + 1, wl - dash - 1);
        if (d->width_min > JNA_WIDTH_MAX || d->width_max > JNA_WIDTH_MAX)
            return jna_fctx_fail(c, "U1002", NULL,
                                 "Result too large: a picture width is limited to %.0f",
                                 JNA_WIDTH_MAX);
    }
    pres = n > 0 ? m + 1 : m;
    plen = comma > 0 ? comma - 1 : 0;
    if (plen == 1) {
        d->pres1 = sx_arena_strndup(c->arena, pres, 1);
    } else if (plen > 1) {
        char last = pres[plen - 1];
        if (strchr("atco", last) != NULL) {
            d->pres2 = last;
            d->pres1 = sx_arena_strndup(c->arena, pres, plen - 1);
        } else {
            d->pres1 = sx_arena_strndup(c->arena, pres, plen);
        }
    } else {
        d->pres1 = default_presentation(d->component);
    }
    if (d->pres1 == NULL) {
        char comp[2] = {d->component, '\0'};
        return jna_fctx_fail(c, "D3132", NULL,
                             "Unknown component specifier %s in date/time picture string",
                             jna_json_text(c, val_strz(c->arena, comp)));
    }
    if (d->pres1[0] == 'n') {
        d->names = DT_NAMES_LOWER;
    } else if (d->pres1[0] == 'N') {
        d->names = d->pres1[1] == 'n' ? DT_NAMES_TITLE : DT_NAMES_UPPER;
    } else if (d->component != '\0' && strchr("YMDdFWwXxHhmsf", d->component) != NULL) {
        const char *ip = d->pres2 ? sx_arena_printf(c->arena, NULL, "%s;%c", d->pres1, d->pres2)
                                  : d->pres1;
        if (jna_ipic_parse(c, ip, strlen(ip), &d->ifmt) != SX_OK)
            return SX_ERR;
        d->has_ifmt = true;
        if (!isnan(d->width_min) && d->ifmt.mandatory < d->width_min)
            d->ifmt.mandatory = (int)d->width_min;
        if (d->component == 'Y') {
            if (!isnan(d->width_max)) {
                d->n = (int)d->width_max;
                d->ifmt.mandatory = d->n;
            } else if (d->ifmt.mandatory + d->ifmt.optional >= 2) {
                d->n = d->ifmt.mandatory + d->ifmt.optional;
            }
        }
    }
    if (d->component == 'Z' || d->component == 'z') {
        if (jna_ipic_parse(c, d->pres1, strlen(d->pres1), &d->ifmt) != SX_OK)
            return SX_ERR;
        d->has_ifmt = true;
    }
    return SX_OK;
}

int
jna_dt_pic_parse(jna_fctx_t *c, const char *pic, size_t n, dt_pic_t *out)
{
    size_t start = 0, pos = 0;

    out->nparts = 0;
    out->parts = sx_arena_alloc(c->arena, (n + 2) * sizeof(dt_part_t));
    while (pos < n) {
        if (pic[pos] != '[') {
            pos++;
            continue;
        }
        if (pos + 1 < n && pic[pos + 1] == '[') {
            add_literal(c, out, pic + start, pos - start);
            add_literal(c, out, "[", 1);
            pos += 2;
            start = pos;
            continue;
        }
        add_literal(c, out, pic + start, pos - start);
        start = pos;
        const char *close = memchr(pic + start, ']', n - start);
        if (close == NULL)
            return jna_fctx_fail(c, "D3135", NULL,
                                 "No matching closing bracket ']' in date/time picture string");
        pos = (size_t)(close - pic);
        char *marker = sx_arena_alloc(c->arena, pos - start + 1);
        size_t ml = 0;
        for (size_t i = start + 1; i < pos; i++)
            if (pic[i] != ' ' && !(pic[i] >= '\t' && pic[i] <= '\r'))
                marker[ml++] = pic[i];
        if (analyse_marker(c, &out->parts[out->nparts], marker, ml) != SX_OK)
            return SX_ERR;
        out->nparts++;
        start = pos + 1;
        pos++;
    }
    add_literal(c, out, pic + start, pos - start);
    return SX_OK;
}

/* ---- formatting ---- */

static void
put_name(sx_sbuf_t *b, const char *name, const dt_part_t *p)
{
    size_t len = strlen(name), start = b->len;

    if (!isnan(p->width_max) && (double)len > p->width_max)
        len = p->width_max < 0 ? 0 : (size_t)p->width_max;
    sx_sbuf_add(b, name, len);
    for (size_t i = start; i < b->len; i++) {
        if (p->names == DT_NAMES_UPPER && b->p[i] >= 'a' && b->p[i] <= 'z')
            b->p[i] = (char)(b->p[i] - 32);
        else if (p->names == DT_NAMES_LOWER && b->p[i] >= 'A' && b->p[i] <= 'Z')
            b->p[i] = (char)(b->p[i] + 32);
    }
}

static int
format_zone(jna_fctx_t *c, sx_sbuf_t *b, const dt_part_t *p, double oh, double om)
{
    double offset = oh * 100 + om;
    size_t start = b->len;
    jna_ipic_t two;

    if (p->component == 'z')
        sx_sbuf_adds(b, "GMT");
    if (offset >= 0)
        sx_sbuf_addc(b, '+');
    if (p->ifmt.regular) {
        if (jna_ipic_format(c, b, offset, &p->ifmt) != SX_OK)
            return SX_ERR;
    } else if (p->ifmt.mandatory == 1 || p->ifmt.mandatory == 2) {
        if (jna_ipic_format(c, b, oh, &p->ifmt) != SX_OK)
            return SX_ERR;
        if (om != 0) {
            sx_sbuf_addc(b, ':');
            if (jna_ipic_parse(c, "00", 2, &two) != SX_OK ||
                jna_ipic_format(c, b, om, &two) != SX_OK)
                return SX_ERR;
        }
    } else if (p->ifmt.mandatory == 3 || p->ifmt.mandatory == 4) {
        if (jna_ipic_format(c, b, offset, &p->ifmt) != SX_OK)
            return SX_ERR;
    } else {
        const val_t *nd = val_num(c->arena, p->ifmt.mandatory);
        return jna_fctx_fail(c, "D3134", nd,
                             "The timezone integer format specifier cannot have more than four "
                             "digits");
    }
    if (offset == 0 && p->pres2 == 't') {
        b->len = start;
        sx_sbuf_addc(b, 'Z');
    }
    return SX_OK;
}

int
jna_dt_names_fail(jna_fctx_t *c, char comp)
{
    char s[2] = {comp, '\0'};
    const val_t *v = val_strz(c->arena, s);

    return jna_fctx_fail(c, "D3133", v,
                         "The 'name' modifier can only be applied to months and days in the "
                         "date/time picture string, not %s",
                         jna_json_text(c, v));
}

static int
format_component(jna_fctx_t *c, sx_sbuf_t *b, const dt_part_t *p, const dt_fields_t *f,
                 double oh, double om)
{
    char comp = p->component;
    double v = jna_dt_component(f, comp);

    if (comp != '\0' && strchr("YMDdFWwXxHhms", comp) != NULL) {
        if (comp == 'Y' && p->n != -1)
            v = fmod(v, jna_js_pow(10, p->n));
        if (p->names != DT_NAMES_NONE) {
            if (comp == 'M' || comp == 'x')
                put_name(b, jna_month_names[(int)v - 1], p);
            else if (comp == 'F')
                put_name(b, jna_day_names[(int)v], p);
            else
                return jna_dt_names_fail(c, comp);
            return SX_OK;
        }
        return jna_ipic_format(c, b, v, &p->ifmt);
    }
    switch (comp) {
    case 'f':
        if (!p->has_ifmt) {
            char num[VAL_NUM_BUF];
            sx_sbuf_add(b, num, val_num_fmt(v, num));
            return SX_OK;
        }
        return jna_ipic_format(c, b, v, &p->ifmt);
    case 'Z':
    case 'z':
        return format_zone(c, b, p, oh, om);
    case 'P':
        sx_sbuf_adds(b, p->names == DT_NAMES_UPPER ? (v ? "PM" : "AM") : (v ? "pm" : "am"));
        return SX_OK;
    case 'C':
    case 'E':
        sx_sbuf_adds(b, "ISO");
        return SX_OK;
    default:
        sx_sbuf_adds(b, "undefined"); /* the reference concatenates an undefined fragment */
        return SX_OK;
    }
}

/* parseInt(tz) of a "+HHMM" string (NaN when it has no leading integer). */
static double
tz_int(const val_t *tz)
{
    const char *s = val_str_get(tz);
    size_t n = val_len(tz), i = 0;
    bool neg = false, any = false;
    double v = 0;

    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = true)
        v = v * 10 + (s[i] - '0');
    return !any ? NAN : neg ? -v : v;
}

#define JS_MAX_TIME 8.64e15

/* jsonata's formatDateTime; picture and tz may be NULL. */
static int
format_datetime(jna_fctx_t *c, double ms, const val_t *picture, const val_t *tz,
                const val_t **out)
{
    dt_pic_t pic;
    dt_fields_t f;
    double oh = 0, om = 0, t;
    sx_sbuf_t b = SX_SBUF_INIT;
    int rc = SX_OK;

    if (tz != NULL) {
        double off = tz_int(tz);
        if (isnan(off))
            off = 0;
        oh = floor(off / 100);
        om = fmod(off, 100);
    }
    if (picture != NULL)
        rc = jna_dt_pic_parse(c, val_str_get(picture), val_len(picture), &pic);
    else
        rc = jna_dt_pic_parse(c, iso_picture, strlen(iso_picture), &pic);
    if (rc != SX_OK)
        return SX_ERR;
    t = trunc(ms + (oh * 60 + om) * 60000);
    if (!(fabs(t) <= JS_MAX_TIME))
        return jna_fctx_fail(c, "D3110", NULL, "Invalid date/time value: %s",
                             jna_json_text(c, val_num(c->arena, ms)));
    jna_dt_fields(t, &f);
    for (int i = 0; i < pic.nparts && rc == SX_OK; i++) {
        const dt_part_t *p = &pic.parts[i];
        if (p->literal)
            sx_sbuf_add(&b, p->text, p->len);
        else
            rc = format_component(c, &b, p, &f, oh, om);
    }
    if (rc == SX_OK)
        *out = jna_sbuf_val(c->arena, &b);
    sx_sbuf_fini(&b);
    return rc;
}

JNA_BI(from_millis)
{
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    return format_datetime(c, val_num_get(argv[0]), argc > 1 ? argv[1] : NULL,
                           argc > 2 ? argv[2] : NULL, out);
}

JNA_BI(now)
{
    return format_datetime(c, (double)c->now_ms, argc > 0 ? argv[0] : NULL,
                           argc > 1 ? argv[1] : NULL, out);
}

JNA_BI(millis)
{
    SX_UNUSED(argv), SX_UNUSED(argc);
    *out = val_num(c->arena, (double)c->now_ms);
    return SX_OK;
}

/*
 * jna_lib_dateparse.c: $toMillis(timestamp[, picture]).
 *
 * Without a picture the timestamp must match jsonata's ISO 8601 regex (D3110 otherwise) and
 * is read as JavaScript's Date.parse reads the ES date-time format: date-only forms and
 * times without an offset are UTC here, fraction digits past 3 are dropped, day 29..31 of a
 * short month rolls over, out-of-range fields give NaN.
 * With a picture the reference builds an anchored, case-insensitive regex from the analysed
 * picture (one capture group per part) and reads each component from its group; we compile
 * the same regex with PCRE2. Then the date form {Y,M,D} / {Y,d} (/{X,x,w,F} and {X,W,F},
 * unsupported: D3136) and time form {H,m,s,f} / {P,h,m,s,f} are chosen, components before
 * the first given one default to "now", those after it to 0 (1 for M, D, d), and a given
 * component after a defaulted one is D3136. The instant is Date.UTC of the result (years
 * 0..99 mean 1900..1999) minus the parsed offset.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>

#include "jna_lib_date_int.h"

/* ---- Date.UTC / MakeDay / MakeTime ---- */

static double
make_utc(double y, double mo, double d, double h, double mi, double s, double ms)
{
    double yr, ym, mn, days;

    if (isnan(y) || isnan(mo) || isnan(d) || isnan(h) || isnan(mi) || isnan(s) || isnan(ms) ||
        !isfinite(y) || !isfinite(mo) || !isfinite(d) || !isfinite(h) || !isfinite(mi) ||
        !isfinite(s) || !isfinite(ms))
        return NAN;
    yr = trunc(y);
    if (yr >= 0 && yr <= 99)
        yr += 1900;
    mo = trunc(mo);
    ym = yr + floor(mo / 12);
    mn = fmod(mo, 12);
    if (mn < 0)
        mn += 12;
    if (fabs(ym) > 400000)
        return NAN;
    days = (double)jna_days_from_civil((int64_t)ym, (int)mn + 1, 1) + trunc(d) - 1;
    double t = days * JNA_MS_PER_DAY + trunc(h) * 3600000 + trunc(mi) * 60000 + trunc(s) * 1000 +
               trunc(ms);
    return fabs(t) <= 8.64e15 ? t : NAN;
}

/* ---- ISO 8601 without a picture ---- */

static bool
digits_at(const char *s, size_t n, size_t i, int k)
{
    if (i + (size_t)k > n)
        return false;
    for (int j = 0; j < k; j++)
        if (s[i + (size_t)j] < '0' || s[i + (size_t)j] > '9')
            return false;
    return true;
}

static int
num_at(const char *s, size_t i, int k)
{
    int v = 0;
    for (int j = 0; j < k; j++)
        v = v * 10 + (s[i + (size_t)j] - '0');
    return v;
}

typedef struct iso_parts {
    int year, month, day, hour, minute, second, ms;
    bool has_month, has_day, has_time, has_frac, has_zone;
    int zone_min; /* offset in minutes */
    bool zone_z;  /* the zone was 'Z' */
    int frac_digits, frac_value; /* the fraction as written (date-only legacy forms) */
    bool zone_bad;
} iso_parts_t;

/* Matches jsonata's ISO regex; fills p. */
static bool
iso_match(const char *s, size_t n, iso_parts_t *p)
{
    size_t i = 4;

    memset(p, 0, sizeof(*p));
    if (!digits_at(s, n, 0, 4))
        return false;
    p->year = num_at(s, 0, 4);
    if (i < n && s[i] == '-' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1') &&
        digits_at(s, n, i + 1, 2)) {
        p->has_month = true, p->month = num_at(s, i + 1, 2), i += 3;
    }
    if (i < n && s[i] == '-' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
        digits_at(s, n, i + 1, 2)) {
        p->has_day = true, p->day = num_at(s, i + 1, 2), i += 3;
    }
    if (i < n && s[i] == 'T') {
        if (!(digits_at(s, n, i + 1, 2) && s[i + 1] <= '2' && i + 3 < n && s[i + 3] == ':' &&
              digits_at(s, n, i + 4, 2) && s[i + 4] <= '5' && i + 6 < n && s[i + 6] == ':' &&
              digits_at(s, n, i + 7, 2) && s[i + 7] <= '5'))
            return false;
        p->has_time = true;
        p->hour = num_at(s, i + 1, 2), p->minute = num_at(s, i + 4, 2);
        p->second = num_at(s, i + 7, 2);
        i += 9;
    }
    if (i < n && s[i] == '.') {
        size_t k = i + 1;
        while (k < n && s[k] >= '0' && s[k] <= '9')
            k++;
        if (k == i + 1)
            return false;
        p->has_frac = true;
        p->frac_digits = (int)(k - i - 1);
        for (size_t j = i + 1; j < k && j < i + 4; j++)
            p->frac_value = p->frac_value * 10 + (s[j] - '0');
        for (size_t j = 0; j < 3; j++)
            p->ms = p->ms * 10 + (i + 1 + j < k ? s[i + 1 + j] - '0' : 0);
        i = k;
    }
    if (i < n && s[i] == 'Z') {
        p->has_zone = p->zone_z = true;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        size_t k = i + 1;
        int hh, mm;
        if (!digits_at(s, n, k, 2) || s[k] > '2')
            return false;
        hh = num_at(s, k, 2);
        k += 2;
        if (k < n && s[k] == ':')
            k++;
        if (!digits_at(s, n, k, 2) || s[k] > '5')
            return false;
        mm = num_at(s, k, 2);
        p->has_zone = true;
        p->zone_bad = hh > 23;
        p->zone_min = (s[i] == '-' ? -1 : 1) * (hh * 60 + mm);
        i = k + 2;
    }
    return i == n;
}

/* Date.parse of a string that passed iso_match. */
static double
iso_value(const iso_parts_t *p)
{
    int month = p->has_month ? p->month : 1, day = p->has_day ? p->day : 1;
    int ms = p->has_time ? p->ms : 0;
    double t;

    if ((p->has_day && !p->has_month) || p->zone_bad)
        return NAN;
    if (!p->has_time && p->has_zone && !p->zone_z)
        return NAN; /* V8 takes a bare 'Z' after a date, not an offset */
    if (p->has_frac && !p->has_time) {
        /* V8's legacy fallback reads "2018.5" as May 2018 and "2018-01.5" as 5 January */
        if (p->has_day || p->frac_digits > 2 || p->frac_value == 0)
            return NAN;
        if (!p->has_month)
            month = p->frac_value;
        else
            day = p->frac_value;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || p->hour > 24 || p->minute > 59 ||
        p->second > 59)
        return NAN;
    if (p->hour == 24 && (p->minute || p->second || ms))
        return NAN;
    t = (double)jna_days_from_civil(p->year, month, 1) * JNA_MS_PER_DAY +
        (day - 1) * JNA_MS_PER_DAY + p->hour * 3600000.0 + p->minute * 60000.0 +
        p->second * 1000.0 + ms;
    return t - p->zone_min * 60000.0;
}

/* ---- with a picture ---- */

enum { COMP_UNSET = 0, COMP_SET = 1 };

typedef struct comps {
    double v[128];  /* value by component letter */
    uint8_t st[128]; /* COMP_* */
} comps_t;

static void
regex_escape(sx_sbuf_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr(".*+?^${}()|[]\\/-", s[i]) != NULL && s[i] != '\0')
            sx_sbuf_addc(b, '\\');
        sx_sbuf_addc(b, s[i]);
    }
}

static int
part_regex(jna_fctx_t *c, sx_sbuf_t *b, dt_part_t *p, const dt_part_t *next)
{
    if (p->literal) {
        regex_escape(b, p->text, p->len);
        return SX_OK;
    }
    if (p->component == 'Z' || p->component == 'z') {
        if (p->component == 'z')
            sx_sbuf_adds(b, "GMT");
        sx_sbuf_adds(b, "[-+][0-9]+");
        if (p->ifmt.regular) {
            sx_sbuf_t sep = SX_SBUF_INIT;
            jna_u8_put(&sep, p->ifmt.seps[0].cp);
            regex_escape(b, sep.p, sep.len);
            sx_sbuf_fini(&sep);
            sx_sbuf_adds(b, "[0-9]+");
        }
        return SX_OK;
    }
    if (p->component == 'f') {
        sx_sbuf_adds(b, "[0-9]+");
        return SX_OK;
    }
    if (p->has_ifmt) {
        if (p->ifmt.kind == JNA_IPIC_SEQUENCE)
            return jna_fctx_fail(c, "D3130", NULL,
                                 "Formatting or parsing an integer as a sequence starting with "
                                 "%s is not supported by this implementation",
                                 jna_json_text(c, val_strz(c->arena, p->ifmt.token)));
        /* analyseDateTimePicture: an integer marker right after another fixes the width */
        if (next != NULL && !next->literal && next->has_ifmt && next->component != 'Z' &&
            next->component != 'z')
            p->ifmt.fixed_width = p->ifmt.mandatory;
        jna_ipic_regex(b, &p->ifmt);
        return SX_OK;
    }
    if (p->component != 'M' && p->component != 'x' && p->component != 'F' && p->component != 'P')
        return jna_dt_names_fail(c, p->component);
    sx_sbuf_adds(b, "[a-zA-Z]+");
    return SX_OK;
}

static double
name_value(const dt_part_t *p, const char *s, size_t n, bool *found)
{
    *found = true;
    if (p->component == 'P') {
        if (n == 2 && (memcmp(s, "am", 2) == 0 || memcmp(s, "AM", 2) == 0))
            return 0;
        if (n == 2 && (memcmp(s, "pm", 2) == 0 || memcmp(s, "PM", 2) == 0))
            return 1;
        *found = false;
        return NAN;
    }
    bool months = p->component != 'F';
    int count = months ? 12 : 7;
    for (int i = 0; i < count; i++) {
        const char *name = months ? jna_month_names[i] : jna_day_names[i + 1];
        size_t len = strlen(name);
        if (!isnan(p->width_max) && p->width_max > 0 && (double)len > p->width_max)
            len = (size_t)p->width_max;
        if (len == n && memcmp(name, s, n) == 0)
            return i + 1;
    }
    *found = false;
    return NAN;
}

static double
zone_value(const dt_part_t *p, const char *s, size_t n)
{
    double oh = 0, om = 0;
    char *t;

    if (p->component == 'z' && n >= 3)
        s += 3, n -= 3;
    t = sx_strndup(s, n);
    if (p->ifmt.regular) {
        sx_sbuf_t sep = SX_SBUF_INIT;
        jna_u8_put(&sep, p->ifmt.seps[0].cp);
        char *at = strstr(t, sep.p);
        oh = at ? strtol(t, NULL, 10) : NAN;
        om = at ? strtol(at + sep.len, NULL, 10) : NAN;
        sx_sbuf_fini(&sep);
    } else if (n - 1 <= 2) {
        oh = strtol(t, NULL, 10);
    } else {
        char hh[4] = {t[0], t[1], t[2], '\0'};
        oh = strtol(hh, NULL, 10);
        om = strtol(t + 3, NULL, 10);
    }
    sx_free(t);
    return oh * 60 + om;
}

/* parseFloat('0.' + first three digits) * 1000 */
static double
frac_ms(const char *s, size_t n)
{
    char t[8] = "0.";

    memcpy(t + 2, s, n < 3 ? n : 3);
    t[2 + (n < 3 ? n : 3)] = '\0';
    return strtod(t, NULL) * 1000;
}

static bool
truthy(const comps_t *k, char comp)
{
    return k->st[(int)comp] == COMP_SET && k->v[(int)comp] != 0 && !isnan(k->v[(int)comp]);
}

/* isType: every given bit is in `type` and at least one is. */
static bool
is_type(const comps_t *k, const char *order, unsigned type)
{
    unsigned mask = 0;

    for (const char *p = order; *p; p++)
        mask = (mask << 1) | (truthy(k, *p) ? 1u : 0u);
    return (mask & ~type) == 0 && (mask & type) != 0;
}

static int
fill_defaults(jna_fctx_t *c, comps_t *k, const char *comps)
{
    dt_fields_t now;
    bool start = false, end = false;

    jna_dt_fields((double)c->now_ms, &now);
    for (const char *p = comps; *p; p++) {
        int i = (int)*p;
        if (k->st[i] == COMP_UNSET) {
            if (start) {
                k->v[i] = strchr("MDd", *p) != NULL ? 1 : 0;
                end = true;
            } else {
                k->v[i] = *p == 'P' ? NAN : jna_dt_component(&now, *p);
            }
            k->st[i] = COMP_SET;
        } else {
            start = true;
            if (end)
                return jna_fctx_fail(c, "D3136", NULL,
                                     "The date/time picture string is missing specifiers "
                                     "required to parse the timestamp");
        }
    }
    return SX_OK;
}

static int
compute(jna_fctx_t *c, comps_t *k, const val_t **out)
{
    bool date_a = is_type(k, "YXMxWwdD", 161), date_b = !date_a && is_type(k, "YXMxWwdD", 130);
    bool date_c = is_type(k, "YXMxWwdD", 84), date_d = !date_c && is_type(k, "YXMxWwdD", 72);
    bool time_a = is_type(k, "PHhmsf", 23), time_b = !time_a && is_type(k, "PHhmsf", 47);
    char comps[16];
    double ms;

    snprintf(comps, sizeof(comps), "%s%s",
             date_b ? "YD" : date_c ? "XxwF" : date_d ? "XWF" : "YMD", time_b ? "Phmsf" : "Hmsf");
    if (fill_defaults(c, k, comps) != SX_OK)
        return SX_ERR;
    if (date_c || date_d)
        return jna_fctx_fail(c, "D3136", NULL,
                             "The date/time picture string is missing specifiers required to "
                             "parse the timestamp");
    double mo = k->v['M'] > 0 ? k->v['M'] - 1 : 0, day = k->v['D'];
    if (date_b) {
        double t = make_utc(k->v['Y'], 0, 1, 0, 0, 0, 0) + (k->v['d'] - 1) * JNA_MS_PER_DAY;
        if (isnan(t)) {
            mo = day = NAN;
        } else {
            dt_fields_t f;
            jna_dt_fields(t, &f);
            mo = f.month - 1;
            day = f.day;
        }
    }
    double hour = k->v['H'];
    if (time_b) {
        hour = k->v['h'] == 12 ? 0 : k->v['h'];
        if (k->v['P'] == 1)
            hour += 12;
    }
    ms = make_utc(k->v['Y'], mo, day, hour, k->v['m'], k->v['s'], k->v['f']);
    double z = truthy(k, 'Z') ? k->v['Z'] : truthy(k, 'z') ? k->v['z'] : 0;
    ms -= z * 60000;
    *out = val_num(c->arena, ms);
    return SX_OK;
}

static int
read_components(jna_fctx_t *c, const dt_pic_t *pic, const char *s, PCRE2_SIZE *ov, comps_t *k,
                bool *any)
{
    for (int i = 0; i < pic->nparts; i++) {
        const dt_part_t *p = &pic->parts[i];
        const char *g = s + ov[2 * (i + 1)];
        size_t gl = ov[2 * (i + 1) + 1] - ov[2 * (i + 1)];
        bool found = true;
        double v;
        if (p->literal)
            continue;
        if (p->component == 'Z' || p->component == 'z')
            v = zone_value(p, g, gl);
        else if (p->component == 'f' && !c->aws) /* 2.1+; 2.0.6 reads an integer of ms */
            v = frac_ms(g, gl);
        else if (p->has_ifmt)
            v = jna_ipic_value(&p->ifmt, g, gl);
        else
            v = name_value(p, g, gl, &found);
        *any = true;
        k->v[(unsigned char)p->component & 127] = v;
        /* an unknown name reads as undefined: defaulted like an absent component */
        k->st[(unsigned char)p->component & 127] = found ? COMP_SET : COMP_UNSET;
    }
    SX_UNUSED(c);
    return SX_OK;
}

static int
parse_with_picture(jna_fctx_t *c, const val_t *ts, const val_t *picture, const val_t **out)
{
    dt_pic_t pic;
    sx_sbuf_t re = SX_SBUF_INIT;
    pcre2_code *code = NULL;
    pcre2_match_data *md = NULL;
    comps_t k;
    int rc = SX_ERR, err;
    PCRE2_SIZE eoff;
    bool any = false;

    if (jna_dt_pic_parse(c, val_str_get(picture), val_len(picture), &pic) != SX_OK)
        return SX_ERR;
    for (int i = 0; i < pic.nparts; i++) {
        sx_sbuf_addc(&re, '(');
        if (part_regex(c, &re, &pic.parts[i], i + 1 < pic.nparts ? &pic.parts[i + 1] : NULL) !=
            SX_OK)
            goto out;
        sx_sbuf_addc(&re, ')');
    }
    code = pcre2_compile((PCRE2_SPTR)(re.p ? re.p : ""), re.len,
                         PCRE2_UTF | PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err,
                         &eoff, NULL);
    if (code == NULL) {
        *out = NULL; /* a picture the reference's RegExp would also reject */
        rc = SX_OK;
        goto out;
    }
    md = pcre2_match_data_create_from_pattern(code, NULL);
    if (pcre2_match(code, (PCRE2_SPTR)val_str_get(ts), val_len(ts), 0, 0, md, NULL) < 0) {
        *out = NULL;
        rc = SX_OK;
        goto out;
    }
    memset(&k, 0, sizeof(k));
    read_components(c, &pic, val_str_get(ts), pcre2_get_ovector_pointer(md), &k, &any);
    if (!any) {
        *out = NULL;
        rc = SX_OK;
        goto out;
    }
    rc = compute(c, &k, out);
out:
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    sx_sbuf_fini(&re);
    return rc;
}

JNA_BI(to_millis)
{
    const val_t *ts = argv[0], *picture = argc > 1 ? argv[1] : NULL;
    iso_parts_t p;

    if (ts == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (picture != NULL)
        return parse_with_picture(c, ts, picture, out);
    if (!iso_match(val_str_get(ts), val_len(ts), &p))
        return jna_fctx_fail(c, "D3110", ts,
                             "The argument of the toMillis function must be an ISO 8601 "
                             "formatted timestamp. Given %s",
                             jna_json_text(c, ts));
    *out = val_num(c->arena, iso_value(&p));
    return SX_OK;
}

/*
 * jna_lib_pow.c: JavaScript's Math.pow, bit for bit.
 *
 * V8 (node) computes Math.pow with fdlibm's __ieee754_pow (e_pow.c, Sun Microsystems 1993:
 * "Permission to use, copy, modify, and distribute this software is freely granted,
 * provided that this notice is preserved."), not with a correctly rounded pow. glibc's pow
 * is correctly rounded, so the two disagree in the last bit now and then: V8 gives
 * Math.pow(10, -5) = 0.000009999999999999999 and Math.pow(2, -2.5) = 0.17677669529663687.
 * $power and every internal power of jsonata-js go through this, so we port it.
 * Differences from C pow kept from ECMAScript: (+-1) ** (+-Infinity) and x ** NaN are NaN.
 *
 * Method (fdlibm): log2(x) = n + log2(m) in extra precision (t1 + t2), y * log2(x) split
 * into p_h + p_l, then 2 ** (p_h + p_l) by a rational approximation and scaling.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "jna_lib_int.h"

static int32_t
hi_word(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return (int32_t)(u >> 32);
}

static uint32_t
lo_word(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return (uint32_t)u;
}

static double
with_words(int32_t hi, uint32_t lo)
{
    uint64_t u = ((uint64_t)(uint32_t)hi << 32) | lo;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static double
clear_lo(double d)
{
    return with_words(hi_word(d), 0);
}

static const double bp[] = {1.0, 1.5};
static const double dp_h[] = {0.0, 5.84962487220764160156e-01}; /* 0x3FE2B803 40000000 */
static const double dp_l[] = {0.0, 1.35003920212974897128e-08}; /* 0x3E4CFDEB 43CFD006 */
static const double two53 = 9007199254740992.0;
static const double huge = 1.0e300, tiny = 1.0e-300;
/* poly coefs for (3/2)*(log(x)-2s-2/3*s**3 */
static const double L1 = 5.99999999999994648725e-01, L2 = 4.28571428578550184252e-01,
                    L3 = 3.33333329818377432918e-01, L4 = 2.72728123808534006489e-01,
                    L5 = 2.30660745775561754067e-01, L6 = 2.06975017800338417784e-01;
static const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                    P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                    P5 = 4.13813679705723846039e-08;
static const double lg2 = 6.93147180559945286227e-01, lg2_h = 6.93147182464599609375e-01,
                    lg2_l = -1.90465429995776804525e-09;
static const double ovt = 8.0085662595372944372e-17; /* -(1024-log2(ovfl+.5ulp)) */
static const double cp = 9.61796693925975554329e-01,  /* 2/(3ln2) */
    cp_h = 9.61796700954437255859e-01,                 /* (float)cp */
    cp_l = -7.02846165095275826516e-09;                /* tail of cp_h */
static const double ivln2 = 1.44269504088896338700e+00, ivln2_h = 1.44269502162933349609e+00,
                    ivln2_l = 1.92596299112661746887e-08;

/* log2(|x|) as t1 + t2 (t1 with a zero low word); x finite, non-zero, not near |1| only in
 * the general branch. */
static void
log2_split(double ax, int32_t ix, double *t1o, double *t2o)
{
    double ss, s2, s_h, s_l, t_h, t_l, u, v, r, p_h, p_l, z_h, z_l, t, t1;
    int32_t n = 0, j, k;

    if (ix < 0x00100000) { /* subnormal */
        ax *= two53;
        n -= 53;
        ix = hi_word(ax);
    }
    n += (ix >> 20) - 0x3ff;
    j = ix & 0x000fffff;
    ix = j | 0x3ff00000; /* normalize */
    if (j <= 0x3988E)
        k = 0; /* |x| < sqrt(3/2) */
    else if (j < 0xBB67A)
        k = 1; /* |x| < sqrt(3) */
    else {
        k = 0;
        n += 1;
        ix -= 0x00100000;
    }
    ax = with_words(ix, lo_word(ax));

    /* ss = s_h + s_l = (x-1)/(x+1) or (x-1.5)/(x+1.5) */
    u = ax - bp[k];
    v = 1.0 / (ax + bp[k]);
    ss = u * v;
    s_h = clear_lo(ss);
    t_h = with_words(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    t_l = ax - (t_h - bp[k]);
    s_l = v * ((u - s_h * t_h) - s_h * t_l);
    /* log(ax) */
    s2 = ss * ss;
    r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += s_l * (s_h + ss);
    s2 = s_h * s_h;
    t_h = clear_lo(3.0 + s2 + r);
    t_l = r - ((t_h - 3.0) - s2);
    u = s_h * t_h;
    v = s_l * t_h + t_l * ss;
    /* 2/(3log2)*(ss+...) */
    p_h = clear_lo(u + v);
    p_l = v - (p_h - u);
    z_h = cp_h * p_h;
    z_l = cp_l * p_h + p_l * cp + dp_l[k];
    /* log2(ax) = (ss+..)*2/(3*log2) = n + dp_h + z_h + z_l */
    t = (double)n;
    t1 = clear_lo(((z_h + z_l) + dp_h[k]) + t);
    *t1o = t1;
    *t2o = z_l - (((t1 - t) - dp_h[k]) - z_h);
}

double
jna_js_pow(double x, double y)
{
    double z, ax, p_h, p_l, y1, t1, t2, r, s, t, u, v, w;
    int32_t i, j, k, yisint, n, hx, hy, ix, iy;
    uint32_t lx, ly;

    hx = hi_word(x);
    lx = lo_word(x);
    hy = hi_word(y);
    ly = lo_word(y);
    ix = hx & 0x7fffffff;
    iy = hy & 0x7fffffff;

    if ((iy | (int32_t)ly) == 0) /* x**0 = 1 */
        return 1.0;
    if (ix > 0x7ff00000 || (ix == 0x7ff00000 && lx != 0) || iy > 0x7ff00000 ||
        (iy == 0x7ff00000 && ly != 0))
        return x + y; /* NaN */

    /* yisint = 0: y not an integer, 1: odd, 2: even (only needed when x < 0) */
    yisint = 0;
    if (hx < 0) {
        if (iy >= 0x43400000) {
            yisint = 2;
        } else if (iy >= 0x3ff00000) {
            k = (iy >> 20) - 0x3ff;
            if (k > 20) {
                uint32_t jj = ly >> (52 - k);
                if ((jj << (52 - k)) == ly)
                    yisint = 2 - (int32_t)(jj & 1);
            } else if (ly == 0) {
                j = iy >> (20 - k);
                if ((j << (20 - k)) == iy)
                    yisint = 2 - (j & 1);
            }
        }
    }

    if (ly == 0) { /* special y */
        if (iy == 0x7ff00000) { /* y is +-inf */
            if (((ix - 0x3ff00000) | (int32_t)lx) == 0)
                return y - y; /* (+-1)**+-inf is NaN */
            if (ix >= 0x3ff00000)
                return hy >= 0 ? y : 0.0;
            return hy < 0 ? -y : 0.0;
        }
        if (iy == 0x3ff00000)
            return hy < 0 ? 1.0 / x : x;
        if (hy == 0x40000000)
            return x * x;
        if (hy == 0x3fe00000 && hx >= 0)
            return sqrt(x);
    }

    ax = fabs(x);
    if (lx == 0 && (ix == 0x7ff00000 || ix == 0 || ix == 0x3ff00000)) { /* +-0, +-inf, +-1 */
        z = ax;
        if (hy < 0)
            z = 1.0 / z;
        if (hx < 0) {
            if (((ix - 0x3ff00000) | yisint) == 0)
                z = (z - z) / (z - z); /* (-1)**non-int is NaN */
            else if (yisint == 1)
                z = -z;
        }
        return z;
    }

    n = (int32_t)(((uint32_t)hx >> 31) - 1); /* 0 when x < 0, -1 otherwise */
    if ((n | yisint) == 0)
        return (x - x) / (x - x); /* (x<0)**non-int */
    s = 1.0;
    if ((n | (yisint - 1)) == 0)
        s = -1.0; /* (-ve)**odd */

    if (iy > 0x41e00000) { /* |y| > 2**31 */
        if (iy > 0x43f00000) { /* |y| > 2**64: must over/underflow */
            if (ix <= 0x3fefffff)
                return hy < 0 ? huge * huge : tiny * tiny;
            if (ix >= 0x3ff00000)
                return hy > 0 ? huge * huge : tiny * tiny;
        }
        if (ix < 0x3fefffff)
            return hy < 0 ? s * huge * huge : s * tiny * tiny;
        if (ix > 0x3ff00000)
            return hy > 0 ? s * huge * huge : s * tiny * tiny;
        /* |1-x| <= 2**-20: log(x) by x-x^2/2+x^3/3-x^4/4 */
        t = ax - 1.0;
        w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
        u = ivln2_h * t;
        v = t * ivln2_l - w * ivln2;
        t1 = clear_lo(u + v);
        t2 = v - (t1 - u);
    } else {
        log2_split(ax, ix, &t1, &t2);
    }

    /* (y1+y2)*(t1+t2) */
    y1 = clear_lo(y);
    p_l = (y - y1) * t1 + y * t2;
    p_h = y1 * t1;
    z = p_l + p_h;
    j = hi_word(z);
    i = (int32_t)lo_word(z);
    if (j >= 0x40900000) { /* z >= 1024 */
        if (((j - 0x40900000) | i) != 0)
            return s * huge * huge;
        if (p_l + ovt > z - p_h)
            return s * huge * huge;
    } else if ((j & 0x7fffffff) >= 0x4090cc00) { /* z <= -1075 */
        if ((((uint32_t)j - 0xc090cc00u) | (uint32_t)i) != 0)
            return s * tiny * tiny;
        if (p_l <= z - p_h)
            return s * tiny * tiny;
    }

    /* 2**(p_h+p_l) */
    i = j & 0x7fffffff;
    k = (i >> 20) - 0x3ff;
    n = 0;
    if (i > 0x3fe00000) { /* |z| > 0.5: n = [z+0.5] */
        n = j + (0x00100000 >> (k + 1));
        k = ((n & 0x7fffffff) >> 20) - 0x3ff;
        t = with_words(n & ~(0x000fffff >> k), 0);
        n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
        if (j < 0)
            n = -n;
        p_h -= t;
    }
    t = clear_lo(p_l + p_h);
    u = t * lg2_h;
    v = (p_l - (t - p_h)) * lg2 + t * lg2_l;
    z = u + v;
    w = v - (z - u);
    t = z * z;
    t1 = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    r = (z * t1) / (t1 - 2.0) - (w + z * w);
    z = 1.0 - (r - z);
    j = hi_word(z);
    j += (int32_t)((uint32_t)n << 20);
    if ((j >> 20) <= 0)
        z = scalbn(z, n); /* subnormal output */
    else
        z = with_words(hi_word(z) + (int32_t)((uint32_t)n << 20), lo_word(z));
    return s * z;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils.c: strict number and size parsing (see cutils.h).
 *
 * The C library's strtoull accepts leading spaces, a '-' sign (wrapping the
 * value) and stops silently at garbage; everything users type passes
 * through these wrappers instead so that "-1", "12abc" and "" are errors.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/units.h"

static int check_number_start(const char *nptr, bool allow_minus)
{
    if (!nptr || !*nptr || g_ascii_isspace(*nptr) || *nptr == '+') {
        return -EINVAL;
    }
    if (*nptr == '-' && !allow_minus) {
        return -EINVAL;
    }
    return 0;
}

static int finish_parse(const char *nptr, const char *ep, const char **end,
                        int err)
{
    if (ep == nptr) {
        err = -EINVAL;
    }
    if (end) {
        *end = ep;
    } else if (!err && *ep) {
        err = -EINVAL;
    }
    return err;
}

int qemu_strtou64(const char *nptr, const char **end, int base,
                  uint64_t *result)
{
    char *ep;
    unsigned long long v;
    int err = check_number_start(nptr, false);

    if (err) {
        if (end) {
            *end = nptr;
        }
        return err;
    }
    errno = 0;
    v = strtoull(nptr, &ep, base);
    err = finish_parse(nptr, ep, end, errno ? -errno : 0);
    if (!err) {
        *result = v;
    }
    return err;
}

int qemu_strtoi64(const char *nptr, const char **end, int base,
                  int64_t *result)
{
    char *ep;
    long long v;
    int err = check_number_start(nptr, true);

    if (err) {
        if (end) {
            *end = nptr;
        }
        return err;
    }
    errno = 0;
    v = strtoll(nptr, &ep, base);
    err = finish_parse(nptr, ep, end, errno ? -errno : 0);
    if (!err) {
        *result = v;
    }
    return err;
}

static int64_t suffix_mul(char suffix)
{
    switch (g_ascii_toupper(suffix)) {
    case 'B':
        return 1;
    case 'K':
        return KiB;
    case 'M':
        return MiB;
    case 'G':
        return GiB;
    case 'T':
        return TiB;
    case 'P':
        return PiB;
    case 'E':
        return EiB;
    }
    return -1;
}

static int do_strtosz(const char *nptr, const char **end,
                      char default_suffix, uint64_t *result)
{
    const char *ep = nptr;
    uint64_t val;
    double fraction = 0;
    int64_t mul;
    unsigned __int128 total;
    int err;

    err = qemu_strtou64(nptr, &ep, 10, &val);
    if (err) {
        goto out;
    }
    if (val == 0 && (*ep == 'x' || *ep == 'X')) {
        /* Hexadecimal: no fraction and no suffix. */
        err = qemu_strtou64(nptr, &ep, 16, &val);
        if (err) {
            goto out;
        }
        if (*ep == '.' || suffix_mul(*ep) > 0) {
            ep = nptr;
            err = -EINVAL;
            goto out;
        }
    } else if (*ep == '.') {
        const char *f = ep;
        char *fend;

        if (!g_ascii_isdigit(f[1])) {
            ep = nptr;
            err = -EINVAL;
            goto out;
        }
        /* Digits only: strtod would also take exponents and "inf". */
        fend = (char *)f + 1;
        while (g_ascii_isdigit(*fend)) {
            fend++;
        }
        {
            g_autofree char *digits = g_strndup(f, fend - f);
            fraction = g_ascii_strtod(digits, NULL);
        }
        ep = fend;
    }

    mul = suffix_mul(*ep);
    if (mul > 0) {
        ep++;
    } else {
        mul = suffix_mul(default_suffix);
    }
    if (mul == 1 && fraction != 0) {
        /* A fraction of a byte means nothing. */
        ep = nptr;
        err = -EINVAL;
        goto out;
    }
    total = (unsigned __int128)val * (uint64_t)mul;
    total += (unsigned __int128)(fraction * (double)mul + 0.5);
    if (total > UINT64_MAX) {
        err = -ERANGE;
        goto out;
    }
    val = (uint64_t)total;
out:
    if (end) {
        *end = ep;
    } else if (!err && *ep) {
        err = -EINVAL;
    }
    if (!err) {
        *result = val;
    }
    return err;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'M', result);
}

char *size_to_str(uint64_t val)
{
    static const char *const units[] = {
        "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
    };
    unsigned i = 0;
    double v = val;

    while (v >= 1024 && i < ARRAY_SIZE(units) - 1) {
        v /= 1024;
        i++;
    }
    if (i == 0) {
        return g_strdup_printf("%" PRIu64 " B", val);
    }
    return g_strdup_printf("%0.3g %s", v, units[i]);
}

bool qemu_parse_bool(const char *str, bool *result)
{
    if (!strcmp(str, "on") || !strcmp(str, "yes") || !strcmp(str, "true")) {
        *result = true;
        return true;
    }
    if (!strcmp(str, "off") || !strcmp(str, "no") || !strcmp(str, "false")) {
        *result = false;
        return true;
    }
    return false;
}

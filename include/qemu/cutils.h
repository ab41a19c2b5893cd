/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils.h: strict number and size parsing for the command line, QMP
 * arguments, qtest lines and properties.
 *
 * All parsers return 0 on success or a negative errno: -EINVAL for a
 * malformed string (including trailing garbage when @end is NULL), -ERANGE
 * when the value does not fit.  On error *@result is left untouched.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

/**
 * qemu_strtou64: parse an unsigned 64-bit integer.
 * @nptr: the string; leading whitespace is refused, a '-' sign too.
 * @end: if non-NULL, receives the end of the number and trailing text is
 *       allowed; if NULL, the whole string must be the number.
 * @base: 0 (C prefixes 0x/0), 10 or 16.
 */
int qemu_strtou64(const char *nptr, const char **end, int base,
                  uint64_t *result);

/** qemu_strtoi64: as qemu_strtou64() for signed values ('-' allowed). */
int qemu_strtoi64(const char *nptr, const char **end, int base,
                  int64_t *result);

/**
 * qemu_strtosz: parse a size with QEMU's syntax.
 *
 * Decimal integer or fraction ("1.5G"), or hexadecimal integer without
 * fraction or suffix ("0x1000"), optionally followed by one suffix of
 * B, K, M, G, T, P, E (case-insensitive, powers of 1024).  Without a suffix
 * the value is in bytes.  A fraction needs a suffix other than B.
 * Results of 2^64 or more are -ERANGE.
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);

/** qemu_strtosz_MiB: as qemu_strtosz() but a bare number means MiB (-m). */
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);

/** QEMU_SIZE_SUFFIX_HINT: the hint QEMU gives for bad sizes (two lines). */
#define QEMU_SIZE_SUFFIX_HINT \
    "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, " \
    "peta-\nand exabytes, respectively.\n"

/**
 * size_to_str: human-readable size ("16 GiB", "1.5 MiB", "512 B").
 * Returns: a new string; free with g_free().
 */
char *size_to_str(uint64_t val);

/** qemu_parse_bool: "on"/"yes"/"true" or "off"/"no"/"false". */
bool qemu_parse_bool(const char *str, bool *result);

#endif /* QEMU_CUTILS_H */

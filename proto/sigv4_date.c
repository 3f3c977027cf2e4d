/*
 * sigv4_date.c — the X-Amz-Date text (YYYYMMDDTHHMMSSZ, UTC) to and from
 * time_t. Plain proleptic Gregorian arithmetic over years 0000..9999, so it
 * depends on no time zone, locale or C library time_t range.
 */
#include "sigv4.h"
#include "proto_err.h"

#include <stdbool.h>

#define SECONDS_PER_DAY 86400
#define DAYS_TO_EPOCH 719528 /* 0000-01-01 .. 1970-01-01 */

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 0000-01-01 to y-01-01 (y >= 0); year 0 is a leap year. */
static int64_t days_before_year(int64_t y)
{
	return 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && leap_year(y));
}

/* Write v (>= 0) as exactly `width` decimal digits. */
static void put_digits(char *out, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

int sigv4_format_amz_date(time_t when, char out[SIGV4_AMZ_DATE_LEN + 1])
{
	int64_t t = (int64_t)when;
	int64_t days = t / SECONDS_PER_DAY, secs = t % SECONDS_PER_DAY, y;
	int m = 1;

	if (!out)
		return PROTO_E_INVALID_ARG;
	if (secs < 0) {
		secs += SECONDS_PER_DAY;
		days--;
	}
	days += DAYS_TO_EPOCH;
	if (days < 0 || days >= days_before_year(10000))
		return PROTO_E_INVALID_ARG;
	y = days * 400 / 146097; /* 146097 days per 400 years: at most one off */
	while (days_before_year(y + 1) <= days)
		y++;
	while (days_before_year(y) > days)
		y--;
	days -= days_before_year(y);
	while (days >= days_in_month(y, m))
		days -= days_in_month(y, m++);
	put_digits(out, y, 4);
	put_digits(out + 4, m, 2);
	put_digits(out + 6, days + 1, 2);
	out[8] = 'T';
	put_digits(out + 9, secs / 3600, 2);
	put_digits(out + 11, secs / 60 % 60, 2);
	put_digits(out + 13, secs % 60, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return PROTO_OK;
}

/* s[0..n) as a decimal number, if all digits. */
static bool read_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int sigv4_parse_amz_date(const char *text, size_t len, time_t *out)
{
	int y, mo, d, h, mi, s;
	int64_t days, v;

	if (!text || !out)
		return PROTO_E_INVALID_ARG;
	if (len != SIGV4_AMZ_DATE_LEN || text[8] != 'T' || text[15] != 'Z' ||
	    !read_digits(text, 4, &y) || !read_digits(text + 4, 2, &mo) ||
	    !read_digits(text + 6, 2, &d) || !read_digits(text + 9, 2, &h) ||
	    !read_digits(text + 11, 2, &mi) || !read_digits(text + 13, 2, &s))
		return PROTO_E_AUTH_DATE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    s > 59)
		return PROTO_E_AUTH_DATE;
	days = days_before_year(y) + d - 1 - DAYS_TO_EPOCH;
	for (int m = 1; m < mo; m++)
		days += days_in_month(y, m);
	v = days * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
	if ((int64_t)(time_t)v != v)
		return PROTO_E_AUTH_DATE;
	*out = (time_t)v;
	return PROTO_OK;
}

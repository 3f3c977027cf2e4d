/*
 * test_sigv4_date.c — X-Amz-Date text to and from time_t (proto/sigv4_date.c):
 * known instants, the whole year range 0000..9999 against the C library's
 * calendar, and malformed or impossible dates refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto_err.h"
#include "sigv4.h"

Test(sigv4_date, amz_date_both_ways)
{
	static const struct {
		time_t t;
		const char *text;
	} known[] = {
		{ 0, "19700101T000000Z" },
		{ 1440938160, "20150830T123600Z" },
		{ 1700000000, "20231114T221320Z" },
		{ 1709251199, "20240229T235959Z" },
		{ 951782400, "20000229T000000Z" },
		{ -1, "19691231T235959Z" },
		{ -62167219200, "00000101T000000Z" },
		{ 253402300799, "99991231T235959Z" },
	};
	static const char *const bad[] = {
		"20230229T000000Z", "19000229T000000Z", "20231301T000000Z", "20230100T000000Z",
		"20230431T000000Z", "20231114T240000Z", "20231114T226000Z", "20231114T221360Z",
		"20231114t221320Z", "20231114T221320z", "20231114T221320", "2023-11-14T22:13:20Z",
		"20231114T2213200Z", "+0231114T221320Z", "2023111 T221320Z", "",
	};
	char text[SIGV4_AMZ_DATE_LEN + 1];
	time_t t;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		cr_assert_eq(sigv4_format_amz_date(known[i].t, text), PROTO_OK);
		cr_assert_str_eq(text, known[i].text);
		cr_assert_eq(sigv4_parse_amz_date(known[i].text, SIGV4_AMZ_DATE_LEN, &t), PROTO_OK);
		cr_assert_eq(t, known[i].t, "%s", known[i].text);
	}
	for (time_t s = -86400 * 800; s < 86400 * 800; s += 86400 / 4 + 7) {
		cr_assert_eq(sigv4_format_amz_date(s, text), PROTO_OK);
		cr_assert_eq(sigv4_parse_amz_date(text, SIGV4_AMZ_DATE_LEN, &t), PROTO_OK);
		cr_assert_eq(t, s, "%s", text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sigv4_parse_amz_date(bad[i], strlen(bad[i]), &t), PROTO_E_AUTH_DATE,
			     "%s", bad[i]);
	cr_assert_eq(sigv4_format_amz_date(253402300800, text), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_format_amz_date(-62167219201, text), PROTO_E_INVALID_ARG);
}

/* The C library's rendering of t (glibc: proleptic Gregorian, years 0..9999). */
static void libc_amz_date(time_t t, char out[64])
{
	struct tm tm;

	cr_assert_not_null(gmtime_r(&t, &tm));
	snprintf(out, 64, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void expect_like_libc(time_t t)
{
	char ours[SIGV4_AMZ_DATE_LEN + 1], theirs[64];
	time_t back;

	libc_amz_date(t, theirs);
	cr_assert_eq(sigv4_format_amz_date(t, ours), PROTO_OK);
	cr_assert_str_eq(ours, theirs, "%lld", (long long)t);
	cr_assert_eq(sigv4_parse_amz_date(theirs, SIGV4_AMZ_DATE_LEN, &back), PROTO_OK);
	cr_assert_eq(back, t, "%s", theirs);
}

Test(sigv4_date, amz_date_matches_libc_over_all_years)
{
	for (int y = 0; y <= 9999; y++) {
		static const int md[][2] = { { 1, 1 }, { 2, 28 }, { 3, 1 }, { 12, 31 } };

		for (size_t i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
			struct tm tm = { .tm_year = y - 1900, .tm_mon = md[i][0] - 1,
					 .tm_mday = md[i][1], .tm_hour = 23, .tm_min = 59,
					 .tm_sec = 59 };

			expect_like_libc(timegm(&tm));
			if (y < 9999 || md[i][0] < 12)
				expect_like_libc(timegm(&tm) + 1);
		}
	}
	for (time_t t = -62167219200; t < 253402300800; t += 1000003)
		expect_like_libc(t);
}

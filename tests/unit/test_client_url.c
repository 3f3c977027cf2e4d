/*
 * test_client_url.c — endpoint and StreamUrl parsing (plugin/url.h),
 * including the Host header that SigV4 signs (default ports left out, as
 * botocore does).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../plugin/client_err.h"
#include "../../plugin/url.h"

static struct url parse_ok(const char *text)
{
	struct url u;
	char err[256] = "";

	cr_assert_eq(url_parse(text, &u, err, sizeof(err)), CLIENT_OK, "%s: %s", text, err);
	return u;
}

Test(client_url, endpoints)
{
	struct url u = parse_ok("https://127.0.0.1:8443");

	cr_assert(u.tls);
	cr_assert_not(u.websocket);
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 8443);
	cr_assert_str_eq(u.path, "/");
	cr_assert_str_eq(u.host_header, "127.0.0.1:8443");
	u = parse_ok("HTTPS://ssm.us-east-1.amazonaws.com/");
	cr_assert_eq(u.port, 443);
	cr_assert_str_eq(u.host_header, "ssm.us-east-1.amazonaws.com");
	u = parse_ok("http://broker:80/prefix#frag");
	cr_assert_not(u.tls);
	cr_assert_str_eq(u.path, "/prefix");
	cr_assert_str_eq(u.host_header, "broker");
	u = parse_ok("https://broker:443");
	cr_assert_str_eq(u.host_header, "broker");
	u = parse_ok("https://h?x=1");
	cr_assert_str_eq(u.path, "/?x=1");
}

Test(client_url, stream_urls)
{
	struct url u = parse_ok("wss://broker.example:8443/v1/data-channel/alice-0a1b2c3d4e5f67890"
				"?role=publish_subscribe");

	cr_assert(u.tls);
	cr_assert(u.websocket);
	cr_assert_str_eq(u.path, "/v1/data-channel/alice-0a1b2c3d4e5f67890?role=publish_subscribe");
	cr_assert_str_eq(u.host_header, "broker.example:8443");
	u = parse_ok("ws://127.0.0.1/v1/data-channel/s");
	cr_assert_not(u.tls);
	cr_assert_eq(u.port, 80);
}

Test(client_url, ipv6_hosts)
{
	struct url u = parse_ok("https://[::1]:8443/x");

	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(u.port, 8443);
	cr_assert_str_eq(u.host_header, "[::1]:8443");
	u = parse_ok("wss://[fe80::1]");
	cr_assert_str_eq(u.host_header, "[fe80::1]");
}

Test(client_url, refusals)
{
	static const char *const bad[] = {
		"broker:8443", "ftp://h/", "https://", "https:///path", "https://h:0",
		"https://h:65536", "https://h:x", "https://h:", "https://user@h/",
		"https://[::1", "https://[::1]x", "://h",
	};
	struct url u;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(url_parse(bad[i], &u, err, sizeof(err)), CLIENT_E_CONFIG, "%s", bad[i]);
}

/*
 * ws_test_util.c — server-side websocket arithmetic for the unit tests (see
 * ws_test_util.h).
 */
#include "ws_test_util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "proto_err.h"

int ws_test_accept(const char *key_b64, char out[29])
{
	char joined[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int n = snprintf(joined, sizeof(joined), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
			 key_b64);

	if (n < 0 || (size_t)n >= sizeof(joined))
		return -1;
	if (EVP_Digest(joined, (size_t)n, md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20)
		return -1;
	return base64_encode(md, md_len, out, 29, NULL) == PROTO_OK ? 0 : -1;
}

/*
 * payload_targets.c — libFuzzer targets for every payload parser in
 * proto/payload.h and proto/base64.h. Built once per parser with
 * -DPAYLOAD_TARGET=<name> (the Makefile's fuzz_payload_<name> binaries), so
 * each parser gets its own corpus.
 *
 * Property for each: any input decodes or fails cleanly (no crash, no read past
 * the input, no leak); what decodes encodes again; and encoding is stable —
 * decode(encode(x)) encodes to the same bytes.
 */
#include "fuzz_common.h"
#include "base64.h"
#include "payload.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

#ifndef PAYLOAD_TARGET
#error "build with -DPAYLOAD_TARGET=<parser name>"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

static void same_bytes(uint8_t *a, size_t a_len, uint8_t *b, size_t b_len)
{
	if (a_len != b_len || memcmp(a, b, a_len) != 0)
		abort();
	free(a);
	free(b);
}

/* decode → encode → decode → encode, for codecs with a struct and a free. */
#define STRUCT_TARGET(name, type, release)                                          \
	static void fuzz_##name(const uint8_t *data, size_t size)                  \
	{                                                                           \
		type first = {0}, second = {0};                                     \
		uint8_t *out1, *out2;                                               \
		size_t len1, len2;                                                  \
                                                                                    \
		if (payload_##name##_decode(data, size, &first) != PROTO_OK)        \
			return;                                                     \
		if (payload_##name##_encode(&first, &out1, &len1) != PROTO_OK ||   \
		    payload_##name##_decode(out1, len1, &second) != PROTO_OK ||    \
		    payload_##name##_encode(&second, &out2, &len2) != PROTO_OK)    \
			abort();                                                    \
		same_bytes(out1, len1, out2, len2);                                 \
		release(&first);                                                    \
		release(&second);                                                   \
	}

/* out (freed here) must equal the fuzzer's input. */
static void same_as_input(uint8_t *out, size_t out_len, const uint8_t *data, size_t size)
{
	if (out_len != size || memcmp(out, data, size) != 0)
		abort();
	free(out);
}

static void no_release(void *p)
{
	(void)p;
}

#define NO_RELEASE(p) no_release(p)

STRUCT_TARGET(ack, struct payload_ack, NO_RELEASE)
STRUCT_TARGET(size, struct payload_size, NO_RELEASE)
STRUCT_TARGET(channel_closed, struct payload_channel_closed, payload_channel_closed_free)
STRUCT_TARGET(session_state, struct payload_session_state, payload_session_state_free)
STRUCT_TARGET(open_data_channel, struct payload_open_data_channel,
	      payload_open_data_channel_free)
STRUCT_TARGET(handshake_request, struct payload_handshake_request,
	      payload_handshake_request_free)
STRUCT_TARGET(handshake_response, struct payload_handshake_response,
	      payload_handshake_response_free)
STRUCT_TARGET(handshake_complete, struct payload_handshake_complete,
	      payload_handshake_complete_free)
STRUCT_TARGET(enc_challenge, struct payload_enc_challenge, payload_enc_challenge_free)

static void fuzz_exit_code(const uint8_t *data, size_t size)
{
	int32_t code;
	uint8_t *out;
	size_t len;

	if (payload_exit_code_decode(data, size, &code) != PROTO_OK)
		return;
	if (payload_exit_code_encode(code, &out, &len) != PROTO_OK)
		abort();
	/* the accepted form is canonical except for leading zeros and "-0" */
	free(out);
}

static void fuzz_flag(const uint8_t *data, size_t size)
{
	enum payload_flag flag;
	uint8_t *out;
	size_t len;

	if (payload_flag_decode(data, size, &flag) != PROTO_OK)
		return;
	if (payload_flag_encode(flag, &out, &len) != PROTO_OK)
		abort();
	same_as_input(out, len, data, size);
}

static void fuzz_base64(const uint8_t *data, size_t size)
{
	uint8_t decoded[4096];
	char *text;
	size_t n, text_len;

	if (size > 4096 || base64_decode((const char *)data, size, decoded, sizeof(decoded),
					 &n) != PROTO_OK)
		return;
	text = malloc(size + 1);
	if (!text || base64_encode(decoded, n, text, size + 1, &text_len) != PROTO_OK)
		abort();
	/* a strict decoder accepts only the canonical encoding */
	same_as_input((uint8_t *)text, text_len, data, size);
}

static const struct {
	const char *name;
	void (*run)(const uint8_t *data, size_t size);
} targets[] = {
	{"ack", fuzz_ack},
	{"size", fuzz_size},
	{"channel_closed", fuzz_channel_closed},
	{"session_state", fuzz_session_state},
	{"open_data_channel", fuzz_open_data_channel},
	{"handshake_request", fuzz_handshake_request},
	{"handshake_response", fuzz_handshake_response},
	{"handshake_complete", fuzz_handshake_complete},
	{"enc_challenge", fuzz_enc_challenge},
	{"exit_code", fuzz_exit_code},
	{"flag", fuzz_flag},
	{"base64", fuzz_base64},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*run)(const uint8_t *, size_t);

	if (!run) {
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			if (strcmp(targets[i].name, STR(PAYLOAD_TARGET)) == 0)
				run = targets[i].run;
		if (!run)
			abort();
	}
	run(data, size);
	return 0;
}

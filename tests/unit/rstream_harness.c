/*
 * rstream_harness.c — recording endpoints for the reliable-stream tests.
 */
#include "rstream_harness.h"
#include "payload.h"
#include "proto_err.h"
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

uint64_t harness_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	if (!p)
		abort();
	return p;
}

static int record_transmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct endpoint *ep = ctx;
	struct sent_record *r;

	if (ep->on_transmit) {
		ep->on_transmit(ep->hook_ctx, ep, buf, len);
		return 0;
	}
	ep->sent = grow(ep->sent, &ep->cap_sent, ep->n_sent + 1, sizeof(*ep->sent));
	r = &ep->sent[ep->n_sent++];
	r->raw = test_dup_exact(buf, len);
	r->len = len;
	if (frame_decode(r->raw, len, 0, &r->f) != PROTO_OK)
		abort(); /* the stream must only ever transmit valid frames */
	return 0;
}

static enum rstream_delivery record_deliver(void *ctx, const struct frame *f)
{
	struct endpoint *ep = ctx;

	if (ep->not_ready)
		return RSTREAM_NOT_READY;
	ep->got = grow(ep->got, &ep->got_cap, ep->got_len + f->payload_len, 1);
	memcpy(ep->got + ep->got_len, f->payload, f->payload_len);
	ep->got_len += f->payload_len;
	ep->delivered_msgs++;
	return RSTREAM_DELIVERED;
}

static void seeded_random(void *ctx, uint8_t *buf, size_t len)
{
	struct endpoint *ep = ctx;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)harness_rand(&ep->rng);
}

void endpoint_init(struct endpoint *ep, enum message_kind send_kind,
		   const struct rstream_config *cfg, uint64_t seed)
{
	static const struct rstream_ops ops = {
		.transmit = record_transmit,
		.deliver = record_deliver,
		.random_bytes = seeded_random,
	};
	struct rstream_config c = {0};

	memset(ep, 0, sizeof(*ep));
	if (cfg)
		c = *cfg;
	c.send_kind = send_kind;
	ep->send_kind = send_kind;
	ep->rng = seed;
	ep->rs = rstream_new(&c, &ops, ep);
	if (!ep->rs)
		abort();
}

void endpoint_clear_sent(struct endpoint *ep)
{
	for (size_t i = 0; i < ep->n_sent; i++)
		free(ep->sent[i].raw);
	ep->n_sent = 0;
}

void endpoint_fini(struct endpoint *ep)
{
	endpoint_clear_sent(ep);
	free(ep->sent);
	free(ep->got);
	rstream_free(ep->rs);
	memset(ep, 0, sizeof(*ep));
}

const struct sent_record *endpoint_nth_sent(const struct endpoint *ep,
					    enum message_kind kind, size_t i)
{
	for (size_t k = 0; k < ep->n_sent; k++)
		if (message_kind_of(ep->sent[k].f.message_type) == kind && i-- == 0)
			return &ep->sent[k];
	return NULL;
}

size_t endpoint_count_sent(const struct endpoint *ep, enum message_kind kind)
{
	size_t n = 0;

	while (endpoint_nth_sent(ep, kind, n))
		n++;
	return n;
}

static int feed_built(struct endpoint *ep, uint8_t *raw, size_t len, uint64_t now_ms)
{
	struct frame other;
	int rc;

	if (!raw)
		abort();
	rc = rstream_input(ep->rs, raw, len, now_ms, &other);
	free(raw);
	return rc;
}

static enum message_kind peer_kind(const struct endpoint *ep)
{
	return ep->send_kind == MSG_INPUT_STREAM_DATA ? MSG_OUTPUT_STREAM_DATA
						      : MSG_INPUT_STREAM_DATA;
}

int endpoint_feed_stream(struct endpoint *ep, int64_t seq, const void *data,
			 size_t len, uint64_t now_ms)
{
	size_t raw_len;
	uint8_t *raw = test_frame_build(message_kind_name(peer_kind(ep)), seq,
					PAYLOAD_OUTPUT, data, len, &raw_len);

	return feed_built(ep, raw, raw_len, now_ms);
}

int endpoint_feed_ack(struct endpoint *ep, int64_t seq, uint64_t now_ms)
{
	struct payload_ack ack = {.sequence_number = seq, .is_sequential = true};
	uint8_t *json, *raw;
	size_t json_len, raw_len;

	strcpy(ack.message_type, message_kind_name(ep->send_kind));
	if (payload_ack_encode(&ack, &json, &json_len) != PROTO_OK)
		abort();
	raw = test_frame_build("acknowledge", 0, PAYLOAD_NONE, json, json_len, &raw_len);
	free(json);
	return feed_built(ep, raw, raw_len, now_ms);
}

int endpoint_feed_control(struct endpoint *ep, enum message_kind kind, uint64_t now_ms)
{
	size_t raw_len;
	uint8_t *raw = test_frame_build(message_kind_name(kind), 0, PAYLOAD_NONE, "{}", 2,
					&raw_len);

	return feed_built(ep, raw, raw_len, now_ms);
}

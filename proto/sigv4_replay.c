/*
 * sigv4_replay.c — the replay cache of verified signatures (contract and the
 * argument for its eviction rule in sigv4.h): a ring of entries in arrival
 * order, forgotten from the oldest end once expired, indexed by an
 * open-addressing table with linear probing and backward-shift deletion.
 */
#include "sigv4.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

#define CAPACITY_MAX ((size_t)1 << 24)
#define TIME_LIMIT ((int64_t)1 << 62)

int sigv4_replay_init(struct sigv4_replay_cache *cache, size_t capacity, unsigned skew_seconds)
{
	size_t slots = 1;

	if (!cache)
		return PROTO_E_INVALID_ARG;
	memset(cache, 0, sizeof(*cache));
	if (capacity == 0 || capacity > CAPACITY_MAX || skew_seconds == 0)
		return PROTO_E_INVALID_ARG;
	while (slots < 2 * capacity)
		slots <<= 1;
	cache->ring = calloc(capacity, sizeof(*cache->ring));
	cache->index = calloc(slots, sizeof(*cache->index));
	if (!cache->ring || !cache->index) {
		sigv4_replay_free(cache);
		return PROTO_E_NOMEM;
	}
	cache->capacity = capacity;
	cache->index_mask = slots - 1;
	cache->skew = skew_seconds;
	return PROTO_OK;
}

void sigv4_replay_free(struct sigv4_replay_cache *cache)
{
	if (!cache)
		return;
	free(cache->ring);
	free(cache->index);
	memset(cache, 0, sizeof(*cache));
}

size_t sigv4_replay_count(const struct sigv4_replay_cache *cache)
{
	return cache ? cache->count : 0;
}

/* Home slot of a signature (its first 8 bytes, mixed). */
static size_t home(const struct sigv4_replay_cache *c, const uint8_t sig[SIGV4_SIG_LEN])
{
	uint64_t h;

	memcpy(&h, sig, sizeof(h));
	return (size_t)((h * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & c->index_mask;
}

/* The slot that holds sig, or the empty slot where it would go. */
static size_t find_slot(const struct sigv4_replay_cache *c, const uint8_t sig[SIGV4_SIG_LEN])
{
	size_t slot = home(c, sig);

	while (c->index[slot] &&
	       memcmp(c->ring[c->index[slot] - 1].signature, sig, SIGV4_SIG_LEN) != 0)
		slot = (slot + 1) & c->index_mask;
	return slot;
}

/* Empty `slot`, moving later entries of its probe run back so that every
 * entry stays reachable from its home slot. */
static void index_remove(struct sigv4_replay_cache *c, size_t slot)
{
	size_t hole = slot, j = slot;

	for (;;) {
		size_t h;

		j = (j + 1) & c->index_mask;
		if (!c->index[j])
			break;
		h = home(c, c->ring[c->index[j] - 1].signature);
		if (((j - h) & c->index_mask) >= ((j - hole) & c->index_mask)) {
			c->index[hole] = c->index[j];
			hole = j;
		}
	}
	c->index[hole] = 0;
}

/* Forget expired entries from the oldest end. */
static void expire(struct sigv4_replay_cache *c, int64_t now)
{
	while (c->count > 0 && c->ring[c->head].expires < now) {
		index_remove(c, find_slot(c, c->ring[c->head].signature));
		c->head = (c->head + 1) % c->capacity;
		c->count--;
	}
}

int sigv4_replay_check_and_add(struct sigv4_replay_cache *cache,
			       const uint8_t signature[SIGV4_SIG_LEN], time_t request_time,
			       time_t now)
{
	int64_t t = (int64_t)request_time, n = (int64_t)now, skew;
	struct sigv4_replay_entry *e;
	size_t slot;

	if (!cache || !cache->ring || !signature || n > TIME_LIMIT || n < -TIME_LIMIT)
		return PROTO_E_INVALID_ARG;
	skew = cache->skew;
	expire(cache, n);
	if (t < n - skew || t > n + skew)
		return PROTO_E_AUTH_EXPIRED;
	slot = find_slot(cache, signature);
	if (cache->index[slot])
		return PROTO_E_AUTH_REPLAY;
	if (cache->count == cache->capacity)
		return PROTO_E_AUTH_THROTTLED; /* the oldest is live: evicting it reopens a replay */
	e = &cache->ring[(cache->head + cache->count) % cache->capacity];
	memcpy(e->signature, signature, SIGV4_SIG_LEN);
	e->expires = t + skew;
	cache->index[slot] = (uint32_t)((e - cache->ring) + 1);
	cache->count++;
	return PROTO_OK;
}

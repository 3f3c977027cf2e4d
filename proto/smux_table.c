/*
 * smux_table.c — the smux session's open streams, keyed by stream id, in an
 * open-addressing hash table: linear probing, Fibonacci hashing of the id,
 * load factor at most 1/2 (the table doubles before passing it), and
 * backward-shift deletion so no tombstones accumulate over a long session.
 * Lookups cost O(1) on average however many thousands of streams are open.
 * The table holds pointers; inserting and removing never free a stream.
 */
#include "proto_err.h"
#include "smux_impl.h"

#include <stdlib.h>

#define INITIAL_CAP 16u

static size_t home_of(uint32_t id, size_t cap)
{
	/* Knuth's multiplicative hash; the high bits are the best mixed. */
	uint64_t h = (uint64_t)(uint32_t)(id * 2654435769u) * cap;

	return (size_t)(h >> 32);
}

struct smux_stream *smux_table_find(const struct smux_table *t, uint32_t id)
{
	size_t mask = t->cap - 1;

	if (!t->cap)
		return NULL;
	for (size_t i = home_of(id, t->cap);; i = (i + 1) & mask) {
		struct smux_stream *st = t->slots[i];

		if (!st || st->id == id)
			return st;
	}
}

static void place(struct smux_stream **slots, size_t cap, struct smux_stream *st)
{
	size_t i = home_of(st->id, cap);

	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = st;
}

static int grow(struct smux_table *t)
{
	size_t new_cap = t->cap ? t->cap * 2 : INITIAL_CAP;
	struct smux_stream **slots = calloc(new_cap, sizeof(*slots));

	if (!slots)
		return PROTO_E_NOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			place(slots, new_cap, t->slots[i]);
	free(t->slots);
	t->slots = slots;
	t->cap = new_cap;
	return PROTO_OK;
}

/* st->id must not be in the table yet. */
int smux_table_insert(struct smux_table *t, struct smux_stream *st)
{
	if ((t->count + 1) * 2 > t->cap) {
		int rc = grow(t);

		if (rc != PROTO_OK)
			return rc;
	}
	place(t->slots, t->cap, st);
	t->count++;
	return PROTO_OK;
}

/* Is slot i's entry, whose home is `home`, outside the cyclic range (gap, i]? */
static bool may_fill(size_t gap, size_t i, size_t home)
{
	if (gap <= i)
		return home <= gap || home > i;
	return home <= gap && home > i;
}

void smux_table_remove(struct smux_table *t, uint32_t id)
{
	size_t mask = t->cap - 1, gap;

	if (!t->cap)
		return;
	for (gap = home_of(id, t->cap);; gap = (gap + 1) & mask) {
		if (!t->slots[gap])
			return;
		if (t->slots[gap]->id == id)
			break;
	}
	t->slots[gap] = NULL;
	t->count--;
	/* Shift back every later entry of the run that may move into the gap. */
	for (size_t i = (gap + 1) & mask; t->slots[i]; i = (i + 1) & mask) {
		if (may_fill(gap, i, home_of(t->slots[i]->id, t->cap))) {
			t->slots[gap] = t->slots[i];
			t->slots[i] = NULL;
			gap = i;
		}
	}
}

void smux_table_free_all(struct smux_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}

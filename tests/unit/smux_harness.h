/*
 * smux_harness.h — a recording owner for smux unit tests.
 *
 * A `struct smux_rec` owns one session and writes every callback into a text
 * log ("open 3;", "data 3 68656c6c6f;", "fin 3;", "writable 5;"), merging
 * consecutive data of one stream into one entry, so two runs that saw the
 * same stream events in different slices give identical logs. Knobs make it
 * close a stream on FIN or report data as consumed at once (version 2).
 */
#ifndef POSTERN_SMUX_HARNESS_H
#define POSTERN_SMUX_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smux.h"

struct smux_rec {
	struct smux *s;
	char *log;
	size_t log_len, log_cap;
	bool last_was_data;
	uint32_t last_data_id;
	size_t outputs;        /* on_output calls */
	size_t data_calls;     /* on_data calls */
	size_t largest_slice;  /* longest single on_data */
	bool close_on_fin;     /* smux_close() from on_fin */
	bool consume_on_data;  /* smux_consumed() from on_data */
};

/* A session with the recording ops; cfg may be NULL for defaults of `version`
 * and `client`. Asserts on failure. */
void rec_init(struct smux_rec *r, uint8_t version, bool client, const struct smux_config *cfg);
void rec_fini(struct smux_rec *r);
/* Forget the log so far. */
void rec_clear(struct smux_rec *r);
/* Feed hex bytes (white space ignored); returns smux_input's result. */
int rec_input_hex(struct smux_rec *r, const char *hex);
/* Take all pending output and return it as lower-case hex (static buffer,
 * valid until the next call; asserts if it would not fit). */
const char *rec_take_hex(struct smux_rec *r);

#endif

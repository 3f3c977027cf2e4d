/*
 * agent_conf.h — agent.conf, the small settings file `register` writes into
 * the state directory and `run` reads back:
 *
 *   # comment
 *   broker https://broker.example:8443
 *   instance-id mi-0123456789abcdef0
 *
 * One `key value` per line (key, then spaces or tabs, then the value to the
 * end of the line, surrounding blanks trimmed); blank lines and lines
 * starting with '#' are ignored. Every key is required exactly once; unknown
 * keys, missing values and malformed values are errors naming the line. Text
 * in, text out: reading and writing the file is agent_state's job.
 */
#ifndef POSTERN_AGENT_CONF_H
#define POSTERN_AGENT_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "agent_url.h"

#define AGENT_CONF_MAX_BYTES 16384 /* a larger file is refused unread */
#define AGENT_INSTANCE_ID_LEN 20   /* "mi-" + 17 lower-case hex digits */

struct agent_conf {
	char broker[AGENT_URL_MAX];                  /* https://HOST[:PORT][/PREFIX] */
	char instance_id[AGENT_INSTANCE_ID_LEN + 1]; /* mi-0123456789abcdef0 */
};

/* "mi-" followed by exactly 17 lower-case hex digits. */
bool agent_conf_instance_id_valid(const char *id);

/*
 * Parse len bytes of text (need not be NUL-terminated) into out. 0, or -1
 * with err like "line 3: unknown key 'brokr'" or "no 'instance-id' line".
 */
int agent_conf_parse(const char *text, size_t len, struct agent_conf *out, char *err,
		     size_t errlen);

/* The file's text for c, NUL-terminated. Returns its length, or -1 if it does
 * not fit in outlen bytes. c is assumed valid (parse would accept the result). */
int agent_conf_format(const struct agent_conf *c, char *out, size_t outlen);

#endif

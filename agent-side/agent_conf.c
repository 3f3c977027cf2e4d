/*
 * agent_conf.c — parsing and writing agent.conf's text (see agent_conf.h).
 */
#include "agent_conf.h"

#include <stdio.h>
#include <string.h>

#define LINE_MAX_LEN 1024

struct conf_key {
	const char *key;
	size_t offset, size; /* of the field in struct agent_conf */
	int (*check)(const char *value, char *err, size_t errlen);
};

static int check_broker(const char *value, char *err, size_t errlen)
{
	struct agent_url url;
	char why[256];

	if (agent_url_parse(value, &url, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "bad broker URL: %s", why);
		return -1;
	}
	return 0;
}

static int check_instance_id(const char *value, char *err, size_t errlen)
{
	if (!agent_conf_instance_id_valid(value)) {
		snprintf(err, errlen, "'%s' is not an instance id (mi- and 17 hex digits)", value);
		return -1;
	}
	return 0;
}

#define KEY(name, field, fn) \
	{name, offsetof(struct agent_conf, field), sizeof(((struct agent_conf *)0)->field), fn}

static const struct conf_key keys[] = {
	KEY("broker", broker, check_broker),
	KEY("instance-id", instance_id, check_instance_id),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

bool agent_conf_instance_id_valid(const char *id)
{
	if (!id || strncmp(id, "mi-", 3) != 0 || strlen(id) != AGENT_INSTANCE_ID_LEN)
		return false;
	for (const char *p = id + 3; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line (NUL-terminated, no '\n'); seen[] marks keys already read. */
static int parse_line(char *line, struct agent_conf *out, bool seen[N_KEYS], char *err,
		      size_t errlen)
{
	char *key = line, *value, *end;
	size_t key_len;

	while (blank(*key))
		key++;
	if (*key == '\0' || *key == '#')
		return 0;
	key_len = strcspn(key, " \t\r");
	value = key + key_len;
	while (blank(*value))
		value++;
	end = value + strlen(value);
	while (end > value && blank(end[-1]))
		end--;
	*end = '\0';
	key[key_len] = '\0';
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(keys[i].key, key) != 0)
			continue;
		if (seen[i]) {
			snprintf(err, errlen, "'%s' given twice", keys[i].key);
			return -1;
		}
		if (*value == '\0') {
			snprintf(err, errlen, "'%s' has no value", keys[i].key);
			return -1;
		}
		if ((size_t)(end - value) >= keys[i].size) {
			snprintf(err, errlen, "the value of '%s' is too long", keys[i].key);
			return -1;
		}
		if (keys[i].check(value, err, errlen) != 0)
			return -1;
		memcpy((char *)out + keys[i].offset, value, (size_t)(end - value) + 1);
		seen[i] = true;
		return 0;
	}
	snprintf(err, errlen, "unknown key '%.64s'", key);
	return -1;
}

int agent_conf_parse(const char *text, size_t len, struct agent_conf *out, char *err,
		     size_t errlen)
{
	bool seen[N_KEYS] = {false};
	char line[LINE_MAX_LEN + 1], why[512];
	size_t pos = 0, line_no = 0;

	memset(out, 0, sizeof(*out));
	if (len > AGENT_CONF_MAX_BYTES) {
		snprintf(err, errlen, "larger than %d bytes", AGENT_CONF_MAX_BYTES);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "contains a NUL byte (not a text file)");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		line_no++;
		if (n > LINE_MAX_LEN) {
			snprintf(err, errlen, "line %zu: longer than %d characters", line_no,
				 LINE_MAX_LEN);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (parse_line(line, out, seen, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "line %zu: %s", line_no, why);
			return -1;
		}
		pos += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		if (!seen[i]) {
			snprintf(err, errlen, "no '%s' line", keys[i].key);
			return -1;
		}
	}
	return 0;
}

int agent_conf_format(const struct agent_conf *c, char *out, size_t outlen)
{
	size_t len = 0;
	int n = snprintf(out, outlen, "# postern-agent registration, written by "
				      "`postern-agent register`.\n");

	for (size_t i = 0; n >= 0 && (size_t)n < outlen - len && i < N_KEYS; i++) {
		len += (size_t)n;
		n = snprintf(out + len, outlen - len, "%s %s\n", keys[i].key,
			     (const char *)c + keys[i].offset);
	}
	if (n < 0 || (size_t)n >= outlen - len)
		return -1;
	return (int)(len + (size_t)n);
}

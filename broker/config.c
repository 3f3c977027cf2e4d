/*
 * config.c — the table of broker settings and its readers (file and flags).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum setting_type { SETTING_TEXT, SETTING_LONG };

struct setting {
	const char *key;      /* config-file key; the flag is --key */
	enum setting_type type;
	size_t offset;        /* into struct broker_config */
	long min, max;        /* for SETTING_LONG */
	const char *help;
};

#define TEXT(k, field, h) {k, SETTING_TEXT, offsetof(struct broker_config, field), 0, 0, h}
#define NUM(k, field, lo, hi, h) \
	{k, SETTING_LONG, offsetof(struct broker_config, field), lo, hi, h}

static const struct setting settings[] = {
	TEXT("data-dir", data_dir, "state folder: state.db, ca.pem, admin-credentials (created on first start)"),
	TEXT("listen", listen, "address and port to serve on, ADDR:PORT or [ADDR]:PORT"),
	TEXT("public-url", public_url, "base URL clients and agents use (default https://LISTEN)"),
	TEXT("server-names", server_names, "extra DNS names/addresses for the TLS certificate, comma-separated"),
	NUM("token-ttl", token_ttl_s, 5, 3600, "seconds a data-channel token stays valid"),
	NUM("signature-skew", signature_skew_s, 30, 3600, "seconds of clock skew allowed in signed requests"),
	NUM("heartbeat-interval", heartbeat_interval_s, 1, 600, "seconds between agent heartbeats"),
	NUM("max-frame", max_frame_bytes, 4096, 1048576, "largest data-channel message accepted, bytes"),
	NUM("relay-queue", relay_queue_bytes, 65536, 67108864, "bytes buffered per direction per session before the sender is paused"),
	NUM("log-level", log_level, 0, 3, "0 errors, 1 warnings, 2 notices, 3 debug"),
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

void config_defaults(struct broker_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->listen, "127.0.0.1:8443");
	cfg->token_ttl_s = 60;
	cfg->signature_skew_s = 300;
	cfg->heartbeat_interval_s = 20;
	cfg->max_frame_bytes = 65536;
	cfg->relay_queue_bytes = 1048576;
	cfg->log_level = 2;
}

static const struct setting *find_setting(const char *key)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

/* Store value into cfg per s; 0 or -1 with a message (without location). */
static int apply(struct broker_config *cfg, const struct setting *s, const char *value,
		 char *err, size_t errlen)
{
	char *field = (char *)cfg + s->offset;
	char *end;
	long v;

	if (s->type == SETTING_TEXT) {
		if (strlen(value) >= CONFIG_TEXT_MAX) {
			snprintf(err, errlen, "%s: value longer than %d characters", s->key,
				 CONFIG_TEXT_MAX - 1);
			return -1;
		}
		strcpy(field, value);
		return 0;
	}
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < s->min || v > s->max) {
		snprintf(err, errlen, "%s: '%s' is not a whole number from %ld to %ld", s->key,
			 value, s->min, s->max);
		return -1;
	}
	*(long *)(void *)field = v;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int config_read_file(struct broker_config *cfg, const char *path, char *err, size_t errlen)
{
	unsigned char seen[N_SETTINGS] = {0};
	char line[1024], msg[512];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *key, *value;
		const struct setting *s;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		value = key + strcspn(key, " \t");
		if (*value)
			*value++ = '\0';
		value = trim(value);
		s = find_setting(key);
		if (!s) {
			snprintf(err, errlen, "%s:%d: unknown setting '%s' (see --help)", path, lineno, key);
			rc = -1;
		} else if (*value == '\0') {
			snprintf(err, errlen, "%s:%d: '%s' needs a value", path, lineno, key);
			rc = -1;
		} else if (seen[s - settings]++) {
			snprintf(err, errlen, "%s:%d: '%s' set twice", path, lineno, key);
			rc = -1;
		} else if (apply(cfg, s, value, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

void config_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s --data-dir DIR [--listen ADDR:PORT] [--config FILE] [options]\n\n"
		"postern-broker serves the session API, the agents' control channels and\n"
		"every session's data channel on one TLS port. The first start with an\n"
		"empty --data-dir creates the state database, a CA (DIR/ca.pem: give it to\n"
		"clients and agents), the broker's TLS certificate and an administrator\n"
		"access key (DIR/admin-credentials, AWS shared-credentials format).\n\n"
		"Options (each also a `key value` line in the --config file; flags win):\n",
		prog);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		char flag[64];

		snprintf(flag, sizeof(flag), "--%s %s", s->key,
			 s->type == SETTING_LONG ? "N" : "VALUE");
		fprintf(out, "  %-28s %s", flag, s->help);
		if (s->type == SETTING_LONG)
			fprintf(out, " [%ld..%ld]", s->min, s->max);
		fputc('\n', out);
	}
	fprintf(out, "  %-28s %s\n  %-28s %s\n  %-28s %s\n", "--config FILE",
		"read settings from FILE first", "--help", "show this help",
		"--version", "show the version");
}

/* The value of a flag: "--key=value" or "--key value". */
static const char *flag_value(int argc, char **argv, int *i, const char *arg, size_t keylen)
{
	if (arg[keylen] == '=')
		return arg + keylen + 1;
	if (arg[keylen] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int find_config_flag(struct broker_config *cfg, int argc, char **argv, char *err,
			    size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *v;

		if (strncmp(argv[i], "--config", 8) != 0 ||
		    (argv[i][8] != '\0' && argv[i][8] != '='))
			continue;
		v = flag_value(argc, argv, &i, argv[i] + 2, 6);
		if (!v || !*v) {
			snprintf(err, errlen, "--config needs a file name");
			return -1;
		}
		if (strlen(v) >= CONFIG_TEXT_MAX) {
			snprintf(err, errlen, "--config: path too long");
			return -1;
		}
		strcpy(cfg->config_file, v);
		return config_read_file(cfg, v, err, errlen);
	}
	return 0;
}

/* Checks across settings, before anything is created on disk. */
static int config_check(const struct broker_config *cfg, char *err, size_t errlen)
{
	char host[CONFIG_TEXT_MAX];
	int port;

	if (config_listen_parts(cfg, host, sizeof(host), &port, err, errlen) != 0)
		return -1;
	if (cfg->public_url[0] && strncmp(cfg->public_url, "https://", 8) != 0) {
		snprintf(err, errlen, "public-url: '%s' must start with https://", cfg->public_url);
		return -1;
	}
	return 0;
}

int config_from_args(struct broker_config *cfg, int argc, char **argv, char *err,
		     size_t errlen)
{
	char msg[512];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			config_usage(stdout, argv[0]);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("postern-broker %s\n", POSTERN_VERSION);
			return 1;
		}
	}
	if (find_config_flag(cfg, argc, argv, err, errlen) != 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		char key[64];
		size_t keylen;
		const struct setting *s;

		if (strncmp(arg, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s' (see --help)", arg);
			return -1;
		}
		arg += 2;
		keylen = strcspn(arg, "=");
		if (keylen >= sizeof(key)) {
			snprintf(err, errlen, "unknown option '--%s' (see --help)", arg);
			return -1;
		}
		memcpy(key, arg, keylen);
		key[keylen] = '\0';
		v = flag_value(argc, argv, &i, arg, keylen);
		if (strcmp(key, "config") == 0)
			continue; /* already read */
		s = find_setting(key);
		if (!s) {
			snprintf(err, errlen, "unknown option '--%s' (see --help)", key);
			return -1;
		}
		if (!v || !*v) {
			snprintf(err, errlen, "--%s needs a value", key);
			return -1;
		}
		if (apply(cfg, s, v, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "--%s", msg);
			return -1;
		}
	}
	if (cfg->data_dir[0] == '\0') {
		snprintf(err, errlen, "--data-dir is required (see --help)");
		return -1;
	}
	return config_check(cfg, err, errlen);
}

int config_listen_parts(const struct broker_config *cfg, char *host, size_t hostlen,
			int *port, char *err, size_t errlen)
{
	const char *colon, *h = cfg->listen;
	size_t n;
	char *end;
	long p;

	if (*h == '[') {
		const char *close = strchr(h, ']');

		if (!close || close[1] != ':')
			goto bad;
		h++;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(h, ':');
		if (!colon)
			goto bad;
		n = (size_t)(colon - h);
	}
	if (n == 0 || n >= hostlen)
		goto bad;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 1 || p > 65535)
		goto bad;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (int)p;
	return 0;
bad:
	snprintf(err, errlen, "listen: '%s' is not ADDR:PORT (port 1-65535)", cfg->listen);
	return -1;
}

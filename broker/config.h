/*
 * config.h — the broker's settings: defaults, a `key value` config file and
 * command-line flags, all from one table (config.c), so --help, the file format
 * and the flags can never disagree.
 *
 * Precedence: defaults < config file < flags. Every value is checked against
 * its bounds when read; an unknown key, a duplicate key, a bad number or a
 * missing value is an error naming the file and line (or the flag).
 */
#ifndef POSTERN_BROKER_CONFIG_H
#define POSTERN_BROKER_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_TEXT_MAX 256

struct broker_config {
	char data_dir[CONFIG_TEXT_MAX];     /* state.db, ca.pem, admin-credentials, ... */
	char listen[CONFIG_TEXT_MAX];       /* ADDR:PORT, IPv6 as [ADDR]:PORT */
	char public_url[CONFIG_TEXT_MAX];   /* how clients and agents reach us; "" = from listen */
	char server_names[CONFIG_TEXT_MAX]; /* extra certificate names, comma-separated */
	char config_file[CONFIG_TEXT_MAX];  /* the file read, "" if none */
	long token_ttl_s;                   /* data-channel token lifetime */
	long signature_skew_s;              /* allowed SigV4 clock skew */
	long heartbeat_interval_s;          /* agents' heartbeat period */
	long max_frame_bytes;               /* data-channel message cap */
	long relay_queue_bytes;             /* per-direction relay buffer per session */
	long log_level;                     /* 0 errors .. 3 debug */
};

/* Fill cfg with the defaults. */
void config_defaults(struct broker_config *cfg);

/*
 * Apply argv (after the defaults; a --config FILE among the flags is read
 * first, then the other flags override it). Returns 0 on success, 1 when
 * --help or --version was printed (caller exits 0), -1 on error (message in
 * err, caller exits 2).
 */
int config_from_args(struct broker_config *cfg, int argc, char **argv, char *err,
		     size_t errlen);

/* Read a `key value` file into cfg. 0 or -1 with a message naming file:line. */
int config_read_file(struct broker_config *cfg, const char *path, char *err, size_t errlen);

/* Write --help text (flags and config keys, from the table) to out. */
void config_usage(FILE *out, const char *prog);

/* Split listen into host and port; 0 or -1 with a message. */
int config_listen_parts(const struct broker_config *cfg, char *host, size_t hostlen,
			int *port, char *err, size_t errlen);

#endif

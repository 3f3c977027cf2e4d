/*
 * cli_args.h — the client's two command lines (no I/O but reading and
 * unsetting the one environment variable the plugin contract names):
 *
 *   postern start-session --target ID [--document-name DOC] [--parameters P]
 *           [--reason TEXT] [--endpoint-url URL] [--ca FILE] [--region R]
 *           [--profile P]
 *   session-manager-plugin [RESPONSE REGION OPERATION [PROFILE [REQUEST [ENDPOINT]]]]
 *     (also `postern session-manager-plugin …`; cli-and-api.md §1)
 *
 * Parsers never print: they fill a struct or return CLIENT_E_USAGE with the
 * reason in err. Strings in the structs point into argv unless marked owned.
 */
#ifndef POSTERN_CLI_ARGS_H
#define POSTERN_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_PROGRAM "postern"
#define CLI_PLUGIN_NAME "session-manager-plugin"
#define CLI_START_COMMAND "start-session"

/* The argv[1] prefix that names an environment variable holding RESPONSE. */
#define CLI_RESPONSE_ENV_PREFIX "AWS_SSM_START_SESSION_RESPONSE"

enum cli_command {
	CLI_CMD_USAGE_ERROR, /* nothing or an unknown command: usage, exit 2 */
	CLI_CMD_HELP,        /* --help, -h, help */
	CLI_CMD_VERSION,     /* --version */
	CLI_CMD_START_SESSION,
	CLI_CMD_PLUGIN,      /* the session-manager-plugin contract */
};

/*
 * Which command argv asks for. The program runs the plugin contract when its
 * basename is session-manager-plugin or its first argument is. *first is the
 * index of the command's own argv[0]: parse with (argc - *first, argv + *first).
 */
enum cli_command cli_command_of(int argc, char *const argv[], int *first);

/* The --help text (usage of both commands and where settings come from). */
extern const char cli_usage_text[];

struct cli_start {
	const char *target;        /* required */
	const char *document_name; /* NULL: the broker's shell document */
	const char *parameters;    /* raw text, see cli_params.h */
	const char *reason;
	const char *endpoint_url;
	const char *ca;
	const char *region;
	const char *profile;
	bool help;                 /* --help given: nothing else is checked */
};

/*
 * argv[0] is "start-session"; flags follow as `--name value` or `--name=value`.
 * CLIENT_E_USAGE for an unknown flag, a positional argument, a flag given
 * twice, a missing or empty value, or no --target.
 */
int cli_start_parse(int argc, char *const argv[], struct cli_start *out, char *err,
		    size_t errlen);

enum cli_plugin_mode {
	CLI_PLUGIN_INSTALLED, /* no arguments: the "installed successfully" message */
	CLI_PLUGIN_VERSION,   /* --version */
	CLI_PLUGIN_SESSION,   /* run the session RESPONSE describes */
};

struct cli_plugin {
	enum cli_plugin_mode mode;
	/* CLI_PLUGIN_SESSION, from RESPONSE (owned, malloc'd): */
	char *session_id, *token_value, *stream_url;
	bool response_from_env; /* RESPONSE named an AWS_SSM_START_SESSION_RESPONSE* variable */
	const char *region;     /* argv 2 */
	const char *profile;    /* argv 4; NULL when absent, "" = default chain */
	const char *endpoint;   /* argv 6; NULL when absent, "" = SDK default */
	char *target;           /* REQUEST's Target (owned); NULL without REQUEST */
	bool local_port_named;  /* REQUEST's Parameters name localPortNumber or
				 * localUnixSocket (cli_params.h) */
	bool legacy;            /* the 4-argument form (no profile, request, endpoint) */
};

/*
 * argv[0] is the program name; argc counts it, as in cli-and-api.md §1:
 * 1 → INSTALLED; 2 with --version → VERSION; 2 or 3 otherwise → usage error
 * (unknown operation); 4 or more → SESSION: OPERATION must be StartSession;
 * RESPONSE is JSON text or the name of an environment variable starting with
 * AWS_SSM_START_SESSION_RESPONSE (read, then unset) and must hold non-empty
 * strings SessionId, TokenValue and StreamUrl; with 6 or more arguments
 * REQUEST must be a JSON object with a string Target. Positions past 7 are
 * ignored. Errors: CLIENT_E_USAGE (the message never quotes RESPONSE, which
 * holds a token), CLIENT_E_NOMEM. Free with cli_plugin_free() in every case.
 */
int cli_plugin_parse(int argc, char *const argv[], struct cli_plugin *out, char *err,
		     size_t errlen);
void cli_plugin_free(struct cli_plugin *p);

#endif

/*
 * cli_args.c — parsing of `postern start-session` flags and of the
 * session-manager-plugin positional contract (cli-and-api.md §1), plus the
 * choice between the commands.
 */
#include "cli_args.h"
#include "cli_params.h"
#include "client_err.h"
#include "secret.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char cli_usage_text[] =
	"usage: postern start-session --target ID [options]\n"
	"       postern session-manager-plugin "
	"[RESPONSE REGION OPERATION [PROFILE [REQUEST [ENDPOINT]]]]\n"
	"       postern --version | --help\n"
	"\n"
	"Opens an interactive shell on a managed host, or forwards a port from it, through\n"
	"a postern broker (or any service speaking the AWS Systems Manager Session\n"
	"Manager protocol).\n"
	"\n"
	"start-session options:\n"
	"  --target ID           managed host, e.g. mi-0123456789abcdef0 (required)\n"
	"  --document-name DOC   session document (default: the broker's shell)\n"
	"  --parameters P        document parameters: k=v,k2=v2 or JSON {\"k\":[\"v\"]}\n"
	"  --reason TEXT         reason recorded with the session\n"
	"  --endpoint-url URL    broker API endpoint, e.g. https://broker.example:8443\n"
	"  --ca FILE             CA certificate(s) to trust for the broker\n"
	"  --region R            signing region (default us-east-1)\n"
	"  --profile P           profile of the shared credentials file\n"
	"\n"
	"Settings, first found wins (CONFIG is ~/.config/postern/config, `key value` lines):\n"
	"  endpoint     --endpoint-url, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, CONFIG endpoint-url\n"
	"  CA           --ca, AWS_CA_BUNDLE, CONFIG ca (the system store is always trusted)\n"
	"  region       --region, AWS_REGION, AWS_DEFAULT_REGION, CONFIG region, us-east-1\n"
	"  credentials  --profile's section of the shared credentials file; else\n"
	"               AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); else\n"
	"               the AWS_PROFILE (or default) section of AWS_SHARED_CREDENTIALS_FILE\n"
	"               (~/.aws/credentials); else CONFIG access-key-id + secret-access-key\n"
	"\n"
	"In a session, ~. typed at the start of a line ends it (~~ sends one ~).\n"
	"\n"
	"Port sessions (--document-name AWS-StartPortForwardingSession,\n"
	"AWS-StartPortForwardingSessionToRemoteHost or AWS-StartSSHSession, with\n"
	"--parameters portNumber=P[,localPortNumber=L][,host=H]):\n"
	"  listen  on 127.0.0.1:L (any free port when L is 0 or not given), or on the\n"
	"          Unix socket localUnixSocket of a document with localConnectionType unix;\n"
	"          stdout says \"Port N opened for sessionId S.\"; every connection is\n"
	"          forwarded (one at a time for agents up to 3.0.196.0)\n"
	"  stdio   stdin and stdout carry the forwarded bytes and nothing else (for ssh's\n"
	"          ProxyCommand), always for AWS-StartSSHSession, and for the port\n"
	"          forwarding documents when stdin and stdout are both pipes or sockets\n"
	"          and localPortNumber is not given (give localPortNumber=0 to listen on\n"
	"          any free port instead); the session ends when stdin does\n"
	"  Ctrl-C, SIGTERM or SIGHUP end a port session (exit status 0).\n"
	"  ssh -o ProxyCommand='postern start-session --target %h --document-name \\\n"
	"      AWS-StartSSHSession --parameters portNumber=%p' user@mi-0123456789abcdef0\n"
	"\n"
	"Exit status: the remote exit code when the agent reports one, 0 when the\n"
	"session ends without one (or a port session is ended by the user), 255 after\n"
	"~., 2 for usage errors, 1 for other errors.\n"
	"\n"
	"Installed (or linked) as session-manager-plugin, postern answers the AWS CLI:\n"
	"  aws ssm start-session --endpoint-url https://broker.example:8443 --target ID\n"
	"There a session that ends normally exits 0 whatever the remote exit code (the\n"
	"CLI reports any other status as its own failure); errors still exit non-zero.\n";

/* ---- command choice ------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : (path ? path : "");
}

enum cli_command cli_command_of(int argc, char *const argv[], int *first)
{
	const char *cmd;

	*first = 0;
	if (argc >= 1 && strcmp(base_name(argv[0]), CLI_PLUGIN_NAME) == 0)
		return CLI_CMD_PLUGIN;
	if (argc < 2)
		return CLI_CMD_USAGE_ERROR;
	cmd = argv[1];
	*first = 1;
	if (strcmp(cmd, CLI_PLUGIN_NAME) == 0)
		return CLI_CMD_PLUGIN;
	if (strcmp(cmd, CLI_START_COMMAND) == 0)
		return CLI_CMD_START_SESSION;
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
		return CLI_CMD_HELP;
	if (strcmp(cmd, "--version") == 0)
		return CLI_CMD_VERSION;
	return CLI_CMD_USAGE_ERROR;
}

/* ---- start-session flags ---------------------------------------------------- */

struct start_flag {
	const char *name;
	size_t offset; /* of the const char * member in struct cli_start */
};

static const struct start_flag start_flags[] = {
	{"--target", offsetof(struct cli_start, target)},
	{"--document-name", offsetof(struct cli_start, document_name)},
	{"--parameters", offsetof(struct cli_start, parameters)},
	{"--reason", offsetof(struct cli_start, reason)},
	{"--endpoint-url", offsetof(struct cli_start, endpoint_url)},
	{"--ca", offsetof(struct cli_start, ca)},
	{"--region", offsetof(struct cli_start, region)},
	{"--profile", offsetof(struct cli_start, profile)},
};

static const struct start_flag *find_start_flag(const char *arg, size_t name_len)
{
	for (size_t i = 0; i < sizeof(start_flags) / sizeof(start_flags[0]); i++)
		if (strlen(start_flags[i].name) == name_len &&
		    strncmp(start_flags[i].name, arg, name_len) == 0)
			return &start_flags[i];
	return NULL;
}

static bool wants_help(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int cli_start_parse(int argc, char *const argv[], struct cli_start *out, char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (wants_help(argc, argv)) {
		out->help = true;
		return CLIENT_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *value;
		const struct start_flag *flag;
		const char **slot;
		size_t name_len;

		if (strncmp(arg, "--", 2) != 0)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "start-session: unexpected argument '%s'", arg);
		eq = strchr(arg, '=');
		name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		flag = find_start_flag(arg, name_len);
		if (!flag)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "start-session: unknown option '%.*s'", (int)name_len, arg);
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "start-session: %s needs a value", flag->name);
		}
		if (!*value)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "start-session: %s needs a non-empty value", flag->name);
		slot = (const char **)((char *)out + flag->offset);
		if (*slot)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "start-session: %s given twice", flag->name);
		*slot = value;
	}
	if (!out->target)
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "start-session: --target is required");
	return CLIENT_OK;
}

/* ---- session-manager-plugin ------------------------------------------------- */

/* A required non-empty string member of obj, copied. */
static int take_string(const json_t *obj, const char *key, char **out, const char *what,
		       char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "%s has no %s string", what, key);
	*out = strdup(json_string_value(v));
	return *out ? CLIENT_OK
		    : client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
}

static int parse_response(const char *text, struct cli_plugin *out, char *err, size_t errlen)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	int rc;

	/* never echo the text: it carries the session token */
	if (!json_is_object(root)) {
		json_decref(root);
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "the StartSession response (argument 1) is not a JSON object");
	}
	rc = take_string(root, "SessionId", &out->session_id, "the StartSession response", err,
			 errlen);
	if (rc == CLIENT_OK)
		rc = take_string(root, "TokenValue", &out->token_value,
				 "the StartSession response", err, errlen);
	if (rc == CLIENT_OK)
		rc = take_string(root, "StreamUrl", &out->stream_url, "the StartSession response",
				 err, errlen);
	json_decref(root);
	return rc;
}

static int parse_request(const char *text, struct cli_plugin *out, char *err, size_t errlen)
{
	json_t *root = json_loads(text, 0, NULL);
	int rc;

	if (!json_is_object(root)) {
		json_decref(root);
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "the StartSession request (argument 5) is not a JSON object");
	}
	rc = take_string(root, "Target", &out->target, "the StartSession request", err, errlen);
	out->local_port_named = cli_params_name_local_port(json_object_get(root, "Parameters"));
	json_decref(root);
	return rc;
}

/* RESPONSE itself, or the contents of the variable it names (then unset). */
static int response_text(const char *arg, struct cli_plugin *out, char **text, char *err,
			 size_t errlen)
{
	const char *value = arg;

	if (strncmp(arg, CLI_RESPONSE_ENV_PREFIX, strlen(CLI_RESPONSE_ENV_PREFIX)) == 0) {
		value = getenv(arg);
		if (!value)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   "environment variable %s is not set", arg);
		out->response_from_env = true;
	}
	*text = strdup(value);
	if (out->response_from_env)
		unsetenv(arg);
	return *text ? CLIENT_OK : client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
}

int cli_plugin_parse(int argc, char *const argv[], struct cli_plugin *out, char *err,
		     size_t errlen)
{
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (argc <= 1) {
		out->mode = CLI_PLUGIN_INSTALLED;
		return CLIENT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		out->mode = CLI_PLUGIN_VERSION;
		return CLIENT_OK;
	}
	if (argc < 4)
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "unknown operation '%s'; use %s --version to check the version",
				   argv[1], CLI_PLUGIN_NAME);
	out->mode = CLI_PLUGIN_SESSION;
	out->region = argv[2];
	out->legacy = argc == 4;
	out->profile = argc > 4 ? argv[4] : NULL;
	out->endpoint = argc > 6 ? argv[6] : NULL;
	if (strcmp(argv[3], "StartSession") != 0)
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   "invalid operation '%s' (only StartSession)", argv[3]);
	rc = response_text(argv[1], out, &text, err, errlen);
	if (rc == CLIENT_OK)
		rc = parse_response(text, out, err, errlen);
	if (rc == CLIENT_OK && argc > 5)
		rc = parse_request(argv[5], out, err, errlen);
	secret_free(text); /* holds the token */
	return rc;
}

void cli_plugin_free(struct cli_plugin *p)
{
	free(p->session_id);
	secret_free(p->token_value);
	free(p->stream_url);
	free(p->target);
	memset(p, 0, sizeof(*p));
}

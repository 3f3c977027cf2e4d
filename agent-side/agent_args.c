/*
 * agent_args.c — table-driven option parsing and help (see agent_args.h).
 */
#include "agent_args.h"

#include <string.h>

static const struct agent_option *find_option(const struct agent_command *cmd, const char *name,
					      size_t name_len)
{
	for (size_t i = 0; i < cmd->n_options; i++)
		if (strlen(cmd->options[i].name) == name_len &&
		    strncmp(cmd->options[i].name, name, name_len) == 0)
			return &cmd->options[i];
	return NULL;
}

static bool option_given(const struct agent_option *o)
{
	return o->metavar ? *o->value != NULL : *o->flag;
}

/* Handle argv[*i]; advances *i past a separate value. 0, 1 (help) or -1. */
static int parse_one(const struct agent_command *cmd, int argc, char **argv, int *i, char *err,
		     size_t errlen)
{
	const char *arg = argv[*i], *name, *eq, *value = NULL;
	const struct agent_option *o;

	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
		return 1;
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		snprintf(err, errlen, "unexpected argument '%s'", arg);
		return -1;
	}
	name = arg + 2;
	eq = strchr(name, '=');
	o = find_option(cmd, name, eq ? (size_t)(eq - name) : strlen(name));
	if (!o) {
		snprintf(err, errlen, "unknown option '%.*s'",
			 (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
		return -1;
	}
	if (option_given(o)) {
		snprintf(err, errlen, "--%s given twice", o->name);
		return -1;
	}
	if (!o->metavar) {
		if (eq) {
			snprintf(err, errlen, "--%s takes no value", o->name);
			return -1;
		}
		*o->flag = true;
		return 0;
	}
	if (eq)
		value = eq + 1;
	else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0)
		value = argv[++*i]; /* "--x --y": --y is an option, not x's value */
	if (!value || value[0] == '\0') {
		snprintf(err, errlen, "--%s needs a value (%s)", o->name, o->metavar);
		return -1;
	}
	*o->value = value;
	return 0;
}

int agent_args_parse(const struct agent_command *cmd, int argc, char **argv, char *err,
		     size_t errlen)
{
	int rc;

	for (int i = 1; i < argc; i++) {
		rc = parse_one(cmd, argc, argv, &i, err, errlen);
		if (rc == 1) {
			agent_args_help(cmd, stdout);
			return AGENT_ARGS_HELP;
		}
		if (rc < 0)
			return AGENT_ARGS_ERROR;
	}
	for (size_t k = 0; k < cmd->n_options; k++) {
		if (cmd->options[k].required && !option_given(&cmd->options[k])) {
			snprintf(err, errlen, "missing --%s %s", cmd->options[k].name,
				 cmd->options[k].metavar ? cmd->options[k].metavar : "");
			return AGENT_ARGS_ERROR;
		}
	}
	return AGENT_ARGS_OK;
}

void agent_args_help(const struct agent_command *cmd, FILE *out)
{
	char left[64];

	fprintf(out, "usage: postern-agent %s", cmd->name);
	for (size_t i = 0; i < cmd->n_options; i++) {
		const struct agent_option *o = &cmd->options[i];

		fprintf(out, o->required ? " --%s%s%s" : " [--%s%s%s]", o->name,
			o->metavar ? " " : "", o->metavar ? o->metavar : "");
	}
	fprintf(out, "\n\n%s\n\noptions:\n", cmd->summary);
	for (size_t i = 0; i < cmd->n_options; i++) {
		const struct agent_option *o = &cmd->options[i];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
		fprintf(out, "  %-26s %s%s\n", left, o->help, o->required ? " (required)" : "");
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
	if (cmd->details)
		fprintf(out, "\n%s", cmd->details);
}

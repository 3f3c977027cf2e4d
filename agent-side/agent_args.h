/*
 * agent_args.h — command-line options of postern-agent's commands, from one
 * table per command, so a command's --help and what it accepts can never
 * disagree.
 *
 * Accepted forms: --name VALUE, --name=VALUE, and --name for a switch; -h and
 * --help print the command's help. Each option may appear once; anything else
 * (an unknown option, a missing value, a value for a switch, a positional
 * argument, a repeated option, a required option left out) is an error.
 */
#ifndef POSTERN_AGENT_ARGS_H
#define POSTERN_AGENT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct agent_option {
	const char *name;    /* without the leading "--" */
	const char *metavar; /* e.g. "URL"; NULL for a switch */
	const char *help;    /* one line; may mention the default */
	const char **value;  /* receives the value (options with a metavar) */
	bool *flag;          /* set to true when the switch is given */
	bool required;
};

struct agent_command {
	const char *name;    /* e.g. "register" */
	const char *summary; /* one line: what the command does */
	const char *details; /* text after the option list, or NULL */
	const struct agent_option *options;
	size_t n_options;
};

enum agent_args_result {
	AGENT_ARGS_OK = 0,
	AGENT_ARGS_HELP = 1,   /* --help was given and printed to stdout: exit 0 */
	AGENT_ARGS_ERROR = -1, /* err holds a sentence naming the option */
};

/*
 * Parse argv[1..argc) (argv[0] is the command's name) into the table's
 * value/flag pointers, which the caller initialises (NULL / false = not given).
 * Values point into argv.
 */
int agent_args_parse(const struct agent_command *cmd, int argc, char **argv, char *err,
		     size_t errlen);

/* The command's help: usage line, summary, every option, details. */
void agent_args_help(const struct agent_command *cmd, FILE *out);

#endif

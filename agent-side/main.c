/*
 * main.c — postern-agent: pick the command and hand it the arguments.
 */
#include "agent_version.h"
#include "register_cmd.h"
#include "run_cmd.h"
#include "worker.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

static const struct command commands[] = {
	{"register", "trade an activation for an instance id and a certificate",
	 register_cmd_main},
	{"run", "keep the control channel to the broker open (the agent itself)", run_cmd_main},
	{"worker", "run one session (internal: started by run)", worker_main},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: postern-agent COMMAND [OPTIONS]\n\n"
		     "The postern agent: registers this host with a postern broker, then keeps a\n"
		     "control channel to it open so that sessions can be started on this host.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n  postern-agent COMMAND --help   the command's options\n"
		     "  postern-agent --version        the agent's version\n");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		usage(stderr);
		return 2;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0) {
		printf("postern-agent %s (agent version %s)\n", POSTERN_VERSION, AGENT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "postern-agent: unknown command '%s' (see postern-agent --help)\n", name);
	return 2;
}

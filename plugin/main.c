/*
 * main.c — postern, the operator's client: picks the command and runs it.
 * Installed or linked as session-manager-plugin it answers the AWS CLI.
 */
#include "cli_args.h"
#include "cmd.h"
#include "session.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
	int first;

	switch (cli_command_of(argc, argv, &first)) {
	case CLI_CMD_PLUGIN:
		return cmd_plugin(argc - first, argv + first);
	case CLI_CMD_START_SESSION:
		return cmd_start_session(argc - first, argv + first);
	case CLI_CMD_HELP:
		fputs(cli_usage_text, stdout);
		return 0;
	case CLI_CMD_VERSION:
		printf("postern %s (session-manager-plugin %s)\n", POSTERN_VERSION,
		       SESSION_CLIENT_VERSION);
		return 0;
	case CLI_CMD_USAGE_ERROR:
		break;
	}
	if (argc >= 2)
		fprintf(stderr, "postern: unknown command '%s'\n", argv[1]);
	fputs(cli_usage_text, stderr);
	return 2;
}

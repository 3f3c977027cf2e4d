/*
 * cmd.h — the client's commands; each returns the process exit status and
 * prints its own diagnostics (stderr) and answers (stdout). argv[0] is the
 * command's name, as cli_command_of() arranges.
 */
#ifndef POSTERN_CMD_H
#define POSTERN_CMD_H

/* postern start-session … (cmd_start.c) */
int cmd_start_session(int argc, char *argv[]);

/* session-manager-plugin … (cmd_plugin.c) */
int cmd_plugin(int argc, char *argv[]);

#endif

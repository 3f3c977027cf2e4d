/*
 * run_cmd.h — `postern-agent run`: load the registration from the state
 * directory, hold the directory's lock, and keep the control channel open
 * (control_client.h) until SIGINT or SIGTERM, then close it cleanly and exit
 * 0. The signal handler only sets a flag and wakes the event loop.
 */
#ifndef POSTERN_RUN_CMD_H
#define POSTERN_RUN_CMD_H

/* argv[0] is "run". Returns the process exit status: 0 stopped by a signal,
 * 1 cannot start (no registration, unusable files), 2 bad usage. */
int run_cmd_main(int argc, char **argv);

#endif

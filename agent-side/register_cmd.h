/*
 * register_cmd.h — `postern-agent register`: trade an activation (id and
 * code, from `aws ssm create-activation`) for an instance id and a client
 * certificate, and keep them in the state directory.
 *
 * Order of work, so that a failure leaves nothing behind: check the flags,
 * the CA file and the state directory (refusing an existing registration
 * unless --force) before contacting the broker; make a new key and CSR
 * (enroll_keys.h); POST them (register_http.h); check the issued
 * certificate (agent_tls.h); then write all files at once (agent_state.h).
 * The instance id is the last line on stdout.
 */
#ifndef POSTERN_REGISTER_CMD_H
#define POSTERN_REGISTER_CMD_H

/* argv[0] is "register". Returns the process exit status: 0 registered,
 * 1 failed, 2 bad usage. */
int register_cmd_main(int argc, char **argv);

#endif

/*
 * bootstrap.h — preparing the broker's data directory at start-up.
 *
 * The first start with an empty (or missing) --data-dir creates everything:
 * the folder (0700), state.db, the CA (ca.pem, ca-key.pem), the TLS
 * certificate for the names the broker is reached by (server.pem,
 * server-key.pem; reissued whenever those names change) and an administrator
 * access key written to admin-credentials (AWS shared-credentials format,
 * profile "default", 0600). Later starts load what is there and never
 * overwrite a key or credential.
 */
#ifndef POSTERN_BROKER_BOOTSTRAP_H
#define POSTERN_BROKER_BOOTSTRAP_H

#include <stddef.h>

struct broker;

/* The user name of the administrator access key. */
#define BOOTSTRAP_ADMIN_USER "admin"

/* 0, or -1 with a sentence in err. On failure, call bootstrap_release(). */
int bootstrap(struct broker *b, char *err, size_t errlen);

/* Close and free what bootstrap() opened (safe after a partial bootstrap). */
void bootstrap_release(struct broker *b);

#endif

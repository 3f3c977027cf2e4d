/*
 * agent_net.h — explaining a connection that libwebsockets could not even
 * start. lws 4.1.6 resolves names synchronously and, when that fails, only
 * returns NULL from lws_client_connect_via_info(); this looks the name up
 * again to say why. Blocking (getaddrinfo), like lws's own lookup, and used
 * on that failure path only.
 */
#ifndef POSTERN_AGENT_NET_H
#define POSTERN_AGENT_NET_H

#include <stddef.h>

#include "agent_url.h"

/* One sentence: "cannot resolve HOST: <reason>" or, if the name resolves,
 * "cannot start a connection to HOST port N". */
void agent_net_explain_start_failure(const struct agent_url *url, char *out, size_t outlen);

#endif

/*
 * server.h — the broker's one libwebsockets event loop on one TLS port.
 *
 * One protocol callback receives every HTTP request and websocket of the vhost
 * and only dispatches: HTTP reasons to server_http.c, websocket reasons to the
 * channel handlers. Agents may present a client certificate (verified against
 * the broker's CA); nobody has to, and the control channel refuses agents that
 * did not.
 */
#ifndef POSTERN_BROKER_SERVER_H
#define POSTERN_BROKER_SERVER_H

#include <stddef.h>

struct broker;
struct lws;

/* Create the context and vhost. 0, or -1 with a message. */
int server_start(struct broker *b, char *err, size_t errlen);

/* Serve until b->stop is set. */
void server_run(struct broker *b);

/* Wake the loop (safe from a signal handler). */
void server_wake(struct broker *b);

void server_stop(struct broker *b);

/* The broker of a connection. */
struct broker *server_broker(struct lws *wsi);

/* --- server_http.c: handlers for the HTTP callback reasons ------------------- */
struct http_conn;
int http_on_request(struct lws *wsi, struct http_conn *c, const char *uri);
int http_on_body(struct lws *wsi, struct http_conn *c, const void *in, size_t len);
int http_on_body_complete(struct lws *wsi, struct http_conn *c);
int http_on_writeable(struct lws *wsi, struct http_conn *c);
void http_on_close(struct http_conn *c);
size_t http_conn_size(void);

#endif

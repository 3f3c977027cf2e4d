/*
 * forward_conn.c — a local connection of a port session as a raw socket in the
 * event loop (see forward_conn.h).
 */
#include "forward_conn.h"
#include "client_err.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Queued output: data at buf[LWS_PRE + off .. LWS_PRE + len). */
struct forward_conn_chunk {
	struct forward_conn_chunk *next;
	size_t off, len;
	uint8_t buf[LWS_PRE + LOOP_READ_MAX];
};

static void update_rx(struct forward_conn *c)
{
	bool read = c->want_input && c->in_len == 0 && !c->closing && c->wsi;

	if (read == c->reading || !c->wsi)
		return;
	c->reading = read;
	lws_rx_flow_control(c->wsi, read);
}

struct forward_conn *forward_conn_adopt(struct loop *l, int fd, const struct forward_conn_ops *ops,
					void *ctx)
{
	struct forward_conn *c = calloc(1, sizeof(*c));
	lws_adopt_desc_t ad;

	if (!c) {
		close(fd);
		return NULL;
	}
	c->ops = ops;
	c->ctx = ctx;
	memset(&ad, 0, sizeof(ad));
	ad.vh = l->vhost;
	ad.type = LWS_ADOPT_SOCKET;
	ad.fd.sockfd = fd;
	ad.vh_prot_name = LOOP_PROTOCOL_PORT;
	ad.opaque = c;
	c->wsi = lws_adopt_descriptor_vhost_via_info(&ad); /* closes fd on failure */
	if (!c->wsi) {
		free(c);
		return NULL;
	}
	c->reading = true; /* lws starts with POLLIN on */
	update_rx(c);
	return c;
}

const uint8_t *forward_conn_input(const struct forward_conn *c, size_t *len)
{
	*len = c->in_len;
	return c->in + c->in_off;
}

void forward_conn_consume(struct forward_conn *c, size_t n)
{
	if (n > c->in_len)
		n = c->in_len;
	c->in_off += n;
	c->in_len -= n;
	if (c->in_len == 0)
		c->in_off = 0;
	update_rx(c);
}

void forward_conn_want_input(struct forward_conn *c, bool want)
{
	c->want_input = want;
	update_rx(c);
}

int forward_conn_write(struct forward_conn *c, const uint8_t *buf, size_t len)
{
	if (!c->wsi || c->closing || len == 0)
		return CLIENT_OK;
	while (len) {
		struct forward_conn_chunk *t = c->out_tail;
		size_t n;

		if (!t || t->len == LOOP_READ_MAX) {
			t = malloc(sizeof(*t));
			if (!t)
				return CLIENT_E_NOMEM;
			t->next = NULL;
			t->off = t->len = 0;
			if (c->out_tail)
				c->out_tail->next = t;
			else
				c->out_head = t;
			c->out_tail = t;
		}
		n = LOOP_READ_MAX - t->len < len ? LOOP_READ_MAX - t->len : len;
		memcpy(t->buf + LWS_PRE + t->len, buf, n);
		t->len += n;
		c->out_bytes += n;
		buf += n;
		len -= n;
	}
	lws_callback_on_writable(c->wsi);
	return CLIENT_OK;
}

size_t forward_conn_queued(const struct forward_conn *c)
{
	return c->out_bytes;
}

void forward_conn_close(struct forward_conn *c)
{
	if (c->closing || !c->wsi)
		return;
	c->closing = true;
	update_rx(c);
	lws_callback_on_writable(c->wsi); /* closes from there once the queue is out */
}

static void drop_queue(struct forward_conn *c)
{
	while (c->out_head) {
		struct forward_conn_chunk *t = c->out_head;

		c->out_head = t->next;
		free(t);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
}

void forward_conn_free(struct forward_conn *c)
{
	if (!c)
		return;
	if (c->wsi) {
		lws_set_opaque_user_data(c->wsi, NULL);
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		c->wsi = NULL;
	}
	drop_queue(c);
	free(c);
}

/* ---- lws ----------------------------------------------------------------------- */

static int on_rx(struct forward_conn *c, const uint8_t *in, size_t len)
{
	if (c->closing)
		return 0; /* the owner is done with this connection's input */
	if (c->in_len + c->in_off + len > sizeof(c->in)) {
		/* cannot happen: reading stops while the stash holds anything */
		lwsl_err("forward_conn: read past the stash\n");
		return -1;
	}
	memcpy(c->in + c->in_off + c->in_len, in, len);
	c->in_len += len;
	update_rx(c);
	c->ops->on_input(c->ctx, c);
	return 0;
}

static int on_writeable(struct forward_conn *c, struct lws *wsi)
{
	struct forward_conn_chunk *t = c->out_head;
	size_t n;

	if (!t)
		return c->closing ? -1 : 0; /* lws has sent all it buffered, too */
	n = t->len - t->off;
	if (lws_write(wsi, t->buf + LWS_PRE + t->off, n, LWS_WRITE_RAW) < 0)
		return -1;
	/* lws keeps what the socket did not take and sends it before asking again */
	c->out_head = t->next;
	if (!c->out_head)
		c->out_tail = NULL;
	free(t);
	c->out_bytes -= n;
	if (c->out_head || c->closing)
		lws_callback_on_writable(wsi);
	c->ops->on_written(c->ctx, c, n);
	return 0;
}

static void on_close(struct forward_conn *c)
{
	c->wsi = NULL;
	c->closed = true;
	c->reading = false;
	drop_queue(c);
	c->ops->on_closed(c->ctx, c); /* may free c */
}

int forward_conn_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			      void *in, size_t len)
{
	struct forward_conn *c = lws_get_opaque_user_data(wsi);

	(void)user;
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX:
		return on_rx(c, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_RAW_CLOSE:
		on_close(c);
		return 0;
	default:
		return 0;
	}
}

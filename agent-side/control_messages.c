/*
 * control_messages.c — builders for the messages the agent sends (see
 * control_messages.h).
 */
#include "control_messages.h"
#include "agent_version.h"

#include <string.h>

static const char platform_type[] = "Linux";
static const char agent_version[] = AGENT_VERSION;
static const char cap_session_shell[] = "session.shell";
static const char empty[] = "";

void control_messages_hello(struct control_msg_hello *m, uint64_t message_id,
			    const char *instance_id, const struct host_info *host)
{
	memset(m, 0, sizeof(*m));
	control_envelope_init(&m->env, message_id);
	postern__control__agent_hello__init(&m->hello);
	/* protobuf-c wants char * even for fields it only reads: the casts drop a
	 * const that packing never needs */
	m->hello.instance_id = (char *)instance_id;
	m->hello.agent_version = (char *)agent_version;
	m->hello.platform_name = (char *)host->platform_name;
	m->hello.platform_version = (char *)host->platform_version;
	m->hello.platform_type = (char *)platform_type;
	m->hello.architecture = (char *)host->architecture;
	m->hello.hostname = (char *)host->hostname;
	for (size_t i = 0; i < host->n_addrs && i < HOST_INFO_MAX_ADDRS; i++)
		m->addrs[m->hello.n_ip_addresses++] = (char *)host->addrs[i];
	m->hello.ip_addresses = m->addrs;
	m->caps[m->hello.n_capabilities++] = (char *)cap_session_shell;
	m->hello.capabilities = m->caps;
	m->hello.runs_as_root = host->runs_as_root;
	m->env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_AGENT_HELLO;
	m->env.agent_hello = &m->hello;
}

void control_messages_heartbeat(struct control_msg_heartbeat *m, uint64_t message_id,
				uint64_t sent_at_ms, uint32_t active_sessions)
{
	memset(m, 0, sizeof(*m));
	control_envelope_init(&m->env, message_id);
	postern__control__heartbeat__init(&m->heartbeat);
	m->heartbeat.sent_at_ms = sent_at_ms;
	m->heartbeat.active_sessions = active_sessions;
	m->env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_HEARTBEAT;
	m->env.heartbeat = &m->heartbeat;
}

void control_messages_error(struct control_msg_error *m, uint64_t message_id,
			    uint64_t in_reply_to, Postern__Control__Error__Code code,
			    const char *message, const char *session_id)
{
	memset(m, 0, sizeof(*m));
	control_envelope_init(&m->env, message_id);
	postern__control__error__init(&m->error);
	m->error.in_reply_to = in_reply_to;
	m->error.code = code;
	m->error.message = (char *)(message ? message : empty);
	m->error.session_id = (char *)(session_id ? session_id : empty);
	m->env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_ERROR;
	m->env.error = &m->error;
}

const char *control_messages_kind(Postern__Control__Envelope__BodyCase kind)
{
	switch (kind) {
	case POSTERN__CONTROL__ENVELOPE__BODY_AGENT_HELLO: return "AgentHello";
	case POSTERN__CONTROL__ENVELOPE__BODY_HELLO_ACK: return "HelloAck";
	case POSTERN__CONTROL__ENVELOPE__BODY_HEARTBEAT: return "Heartbeat";
	case POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION: return "StartSession";
	case POSTERN__CONTROL__ENVELOPE__BODY_TERMINATE_SESSION: return "TerminateSession";
	case POSTERN__CONTROL__ENVELOPE__BODY_SESSION_STATE: return "SessionState";
	case POSTERN__CONTROL__ENVELOPE__BODY_TRANSCRIPT_CHUNK: return "TranscriptChunk";
	case POSTERN__CONTROL__ENVELOPE__BODY_TRANSCRIPT_ACK: return "TranscriptAck";
	case POSTERN__CONTROL__ENVELOPE__BODY_ERROR: return "Error";
	default: return "unknown message";
	}
}

const char *control_messages_error_code(Postern__Control__Error__Code code)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&postern__control__error__code__descriptor,
						     (int)code);

	return v ? v->name : "CODE_UNKNOWN";
}

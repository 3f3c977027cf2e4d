/*
 * agent_version.h — the version postern-agent reports to the broker.
 *
 * AgentHello.agent_version is the four-part dotted version Session Manager
 * tools expect of an SSM agent (DescribeInstanceInformation shows it as
 * AgentVersion). postern-agent reports "3.3.0.0" for now: a fixed stand-in
 * until postern decides how its own release number (POSTERN_VERSION, from the
 * Makefile) maps onto the four parts.
 */
#ifndef POSTERN_AGENT_VERSION_H
#define POSTERN_AGENT_VERSION_H

#define AGENT_VERSION "3.3.0.0"

#ifndef POSTERN_VERSION
#define POSTERN_VERSION "unknown"
#endif

#endif

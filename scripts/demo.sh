#!/bin/bash
# demo.sh — start a broker and a local agent in a fresh temporary folder,
# register the agent, and open a shell on it. Leaving the shell stops
# everything and removes the folder. Run through `make demo`.
set -eu
cd "$(dirname "$0")/.."

BIN=build/bin
PORT=${DEMO_PORT:-8443}
URL=https://127.0.0.1:$PORT
DIR=$(mktemp -d "${TMPDIR:-/tmp}/postern-demo.XXXXXX")
BROKER_PID=
AGENT_PID=

cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	echo "demo: port $PORT is in use; run with DEMO_PORT=<free port> make demo" >&2
	exit 1
fi

echo "demo: starting postern-broker on $URL (state in $DIR/broker)"
"$BIN/postern-broker" --data-dir "$DIR/broker" --listen "127.0.0.1:$PORT" \
	>"$DIR/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 100); do
	[ -f "$DIR/broker/admin-credentials" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	kill -0 "$BROKER_PID" 2>/dev/null || { cat "$DIR/broker.log" >&2; exit 1; }
	sleep 0.1
done

export AWS_SHARED_CREDENTIALS_FILE="$DIR/broker/admin-credentials"
export AWS_CONFIG_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 AWS_CA_BUNDLE="$DIR/broker/ca.pem"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

echo "demo: creating an activation and registering a local agent"
ACTIVATION=$(aws ssm create-activation --iam-role demo --endpoint-url "$URL" \
	--query '[ActivationId,ActivationCode]' --output text)
set -- $ACTIVATION
TARGET=$("$BIN/postern-agent" register --broker "$URL" --ca "$DIR/broker/ca.pem" \
	--activation-id "$1" --activation-code "$2" --state-dir "$DIR/agent" | tail -n 1)

"$BIN/postern-agent" run --state-dir "$DIR/agent" >"$DIR/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 100); do
	aws ssm describe-instance-information --endpoint-url "$URL" \
		--query 'InstanceInformationList[0].PingStatus' --output text 2>/dev/null |
		grep -q Online && break
	sleep 0.1
done

echo "demo: opening a shell on $TARGET (exit the shell to end the demo)"
"$BIN/postern" start-session --target "$TARGET" --endpoint-url "$URL" \
	--ca "$DIR/broker/ca.pem"

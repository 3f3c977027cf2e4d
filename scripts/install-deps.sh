#!/bin/sh
# install-deps.sh — install the Debian packages postern's build, tests and
# benchmarks need. Idempotent: prints nothing and changes nothing when every
# package is already present. `--check` only reports (exit 1 if anything is
# missing). Needs root (or sudo) to install.
set -eu

PACKAGES="
make gcc pkg-config
clang libclang-rt-14-dev
libwebsockets-dev libssl-dev libssh-dev libncurses-dev
protobuf-c-compiler libprotobuf-c-dev
libjansson-dev libsqlite3-dev libpq-dev
libcriterion-dev
python3 python3-pytest python3-pexpect python3-websocket
openssh-client openssh-server
postgresql postgresql-contrib
iperf3 openssl awscli iproute2 socat
"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ]; then
	echo "missing packages:$missing" >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps: these packages are missing and I am not root:$missing" >&2
	echo "install-deps: run as root: apt-get install$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"

#!/bin/sh
# deps.sh - installs the Debian packages that gkeid's build, tests and benchmarks need
# (`deps.sh bench` adds the benchmarks' servers, `deps.sh fuzz` clang for libFuzzer).
# The one place where packages are named. Called by make when pkg-config cannot find a
# library; safe to run again (installs only what is missing). Needs root and apt.
set -eu
BUILD="gcc make pkg-config libevent-dev libssl-dev libjansson-dev libsqlite3-dev libyaml-dev libcurl4-openssl-dev"
TEST="curl ca-certificates sqlite3 iproute2 procps python3-kubernetes"
BENCH="wrk nginx-light"
FUZZ="clang libclang-rt-14-dev" # libFuzzer: `make fuzz` only (make test replays with gcc)
want="$BUILD $TEST"
case "${1:-}" in bench) want="$want $BENCH" ;; fuzz) want="$want $FUZZ" ;; esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing (run as root: apt-get install$missing)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2

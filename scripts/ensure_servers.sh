#!/usr/bin/env bash
# Install Debian's postgresql and redis-server when they are missing and apt-get can (as root).
# Never fails the caller: without them the scale-out tests skip with a message.
set -u
have_postgres() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_redis() { command -v redis-server >/dev/null 2>&1; }
if have_postgres && have_redis; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_servers: postgresql/redis-server missing and not installable here (needs root and apt-get); the scale-out tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -qq >/dev/null 2>&1 || true
timeout 600 apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null 2>&1 \
    || echo "ensure_servers: apt-get install postgresql redis-server failed; the scale-out tests will skip" >&2
# The packages' own services are not needed (tests start their own servers on free ports).
exit 0

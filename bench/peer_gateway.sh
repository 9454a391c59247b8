#!/usr/bin/env bash
# peer_gateway.sh - `tollway serve` as the second gateway of ../shared/bench/run_peer.sh.
#
#   GATEWAY_NAME=tollway GATEWAY_URL=http://127.0.0.1:8790 GATEWAY_MODEL=gpt-4o-mini \
#   GATEWAY_KEY=sk-tw-0123456789abcdef<32+ of A-Za-z0-9_-> GATEWAY_HEALTH=http://127.0.0.1:8790/health \
#   GATEWAY_CMD=$PWD/bench/peer_gateway.sh bash /work/shared/bench/run_peer.sh
#
# run_peer.sh exports UPSTREAM_URL (its fake upstream, which answers any model name) and runs this
# via `bash -c "exec ..."`, pinned to GATEWAY_CPUS. This script starts a helper that provisions
# GATEWAY_KEY once the gateway answers (bench/peer_key.py), then execs `tollway serve`, so the
# process the harness samples, signals and stops is the gateway itself (its child: the emulator).
# Knobs: TOLLWAY_PEER_PORT (8790; must match GATEWAY_URL), TOLLWAY_ADMIN_KEY (random if unset).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
PORT="${TOLLWAY_PEER_PORT:-8790}"
: "${UPSTREAM_URL:?run_peer.sh exports UPSTREAM_URL}"
: "${GATEWAY_KEY:?export GATEWAY_KEY (a Tollway-shaped key, see bench/README.md)}"
export GATEWAY_KEY

export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY="${OPENAI_API_KEY:-sk-fake-upstream}"
# Made without starting a Python: everything here runs on the gateway's CPU and counts as its start-up.
export TOLLWAY_ADMIN_KEY="${TOLLWAY_ADMIN_KEY:-tw-admin-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"

# Detached (it is re-parented, not left as a zombie of the gateway) and bounded: it exits by itself
# once the key is in place or after --timeout.
( "$PY" "$ROOT/bench/peer_key.py" --gateway-pid $$ --url "http://127.0.0.1:$PORT" --timeout 90 </dev/null & )

cd "$ROOT"  # tollway serve reads template.yaml from here
export TOLLWAY_IP_RATE_LIMIT=0  # the harness sends all its load from one address
exec "$ROOT/.venv/bin/tollway" serve --host 127.0.0.1 --port "$PORT" --no-persist

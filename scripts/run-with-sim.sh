#!/usr/bin/env bash
# Starts the KubeSphere simulator (the `ks-sim` binary, demo seed) and the console pointed at it,
# as two processes; Ctrl-C or SIGTERM stops both. Used by `make run` and the end-to-end tests.
# KS_SIM_LISTEN (default 127.0.0.1:9090), KS_SIM_PORTAL_LISTEN (its stand-in for KubeSphere's
# console, default 127.0.0.1:9091) and the other KS_SIM_* settings go to the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${KS_CONSOLE_BIN_DIR:-target/release}
export KS_SIM_LISTEN=${KS_SIM_LISTEN:-127.0.0.1:9090}
# The stand-in for KubeSphere's console (single sign-on), under another host name than the
# console's, as in production; the console's OAuth client lists the console's callback.
export KS_SIM_PORTAL_LISTEN=${KS_SIM_PORTAL_LISTEN:-127.0.0.1:9091}
export KS_SIM_PORTAL_URL=${KS_SIM_PORTAL_URL:-http://localhost:${KS_SIM_PORTAL_LISTEN##*:}}
site=${LEPTOS_SITE_ADDR:-127.0.0.1:3000}
export KS_SIM_CLIENT_REDIRECT_URIS=${KS_SIM_CLIENT_REDIRECT_URIS:-${PUBLIC_ORIGIN:-http://$site}/oauth/callback}
RUST_LOG=${KS_SIM_LOG:-warn} "$bin/ks-sim" &
sim=$!
console=""
stop() {
  trap - INT TERM EXIT
  kill -TERM ${console:+"$console"} "$sim" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The console needs the simulator up before its first request; give it up to 10 s.
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/${KS_SIM_LISTEN%:*}/${KS_SIM_LISTEN##*:}") 2>/dev/null; then break; fi
  kill -0 "$sim" 2>/dev/null || { echo "ks-sim did not start" >&2; exit 1; }
  sleep 0.1
done

KUBESPHERE_HOST="http://$KS_SIM_LISTEN" KUBESPHERE_PORTAL_URL="${KUBESPHERE_PORTAL_URL:-$KS_SIM_PORTAL_URL}" \
  "$bin/ks-console" &
console=$!
# Whichever stops first (or a signal) stops the other.
wait -n "$sim" "$console" || true

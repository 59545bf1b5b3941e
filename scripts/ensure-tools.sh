#!/usr/bin/env bash
# Installs, only when missing, what a make target needs, from the registries this kind of
# machine reaches (crates.io, npm, Debian). Idempotent: a second run does nothing.
#
#   scripts/ensure-tools.sh                       make build, make run: the wasm32 target,
#                                                 cargo-leptos, wasm-bindgen-cli, end2end's npm
#                                                 packages (wasm-opt; Playwright for the e2e tests)
#   WANT_BUILD=0 WANT_CHECK=1 scripts/ensure-tools.sh
#                                                 make check: the wasm32 target, rustfmt, clippy,
#                                                 cargo-deny, cargo-machete (none of the build
#                                                 tools above)
#   WANT_REDIS=1, WANT_POSTGRES=1, WANT_BROWSER=1 add Debian's redis-server, postgresql, chromium
#                                                 (make unit, make e2e)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer rustc than 1.95
CARGO_DENY_VERSION=0.20.2
CARGO_MACHETE_VERSION=0.9.2
want_build=${WANT_BUILD:-1}
want_check=${WANT_CHECK:-0}
want_browser=${WANT_BROWSER:-0}
want_redis=${WANT_REDIS:-0}
want_postgres=${WANT_POSTGRES:-0}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# make check: rustfmt, clippy (on the server and the wasm32 builds) and cargo-deny.
if [ "$want_check" = 1 ]; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      log "adding the $component component"
      rustup component add "$component"
    fi
  done

  if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    log "installing cargo-deny $CARGO_DENY_VERSION (one-off, ~6 min on 2 cores)"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
  fi
  if ! cargo machete --version 2>/dev/null | grep -q "$CARGO_MACHETE_VERSION"; then
    log "installing cargo-machete $CARGO_MACHETE_VERSION (one-off, ~1 min)"
    cargo install cargo-machete --version "$CARGO_MACHETE_VERSION" --locked
  fi
fi

# make build (and so make run, make e2e): cargo-leptos, the wasm-bindgen CLI and wasm-opt.
if [ "$want_build" = 1 ]; then
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (one-off, ~17 min on 2 cores)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi

  # The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
  wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ -z "$wbg_version" ]; then
    echo "could not read the wasm-bindgen version from Cargo.lock" >&2
    exit 1
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg_version\$"; then
    log "installing wasm-bindgen-cli $wbg_version"
    # --locked first (reproducible); its lock file can name a yanked crate, then resolve afresh.
    cargo install wasm-bindgen-cli --version "$wbg_version" --locked \
      || cargo install wasm-bindgen-cli --version "$wbg_version"
  fi

  # wasm-opt (from npm's binaryen, never a download from elsewhere) and the e2e runner.
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing end2end npm packages (binaryen, playwright)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi

# The replica tests start their own redis-server on a loopback port.
if [ "$want_redis" = 1 ] && ! command -v redis-server >/dev/null; then
  log "installing Debian's redis-server (for the replica tests)"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends redis-server
fi

# The activity log's store tests start their own PostgreSQL on a loopback port (as the
# `postgres` user the package creates; its server refuses to run as root).
if [ "$want_postgres" = 1 ] && ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing Debian's postgresql (for the activity log's store tests)"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql
fi

if [ "$want_browser" = 1 ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  log "installing Debian's chromium"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
fi

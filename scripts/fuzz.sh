#!/usr/bin/env bash
# make fuzz: runs each fuzz target with libFuzzer for FUZZ_SECONDS (default 60) on nightly,
# starting from the saved corpus (fuzz/corpus/<target>). New inputs that add coverage are merged
# back into the saved corpus (minimised), which `make test` replays on stable. A failing input is
# written to fuzz/artifacts/<target>/ and the run stops with its reproduce command.
# Bounded: time per target, input length, memory; everything runs on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-parsers form_bodies}
# No sanitizer: the project has no unsafe code; libFuzzer's coverage guidance is what we want.
flags=(--sanitizer none --features libfuzzer)

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "make fuzz needs the nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz (one-off, ~3 min on 2 cores)"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

for target in $targets; do
  work="target/fuzz-corpus/$target"
  mkdir -p "$work"
  echo "==> fuzzing $target for ${seconds}s"
  cargo +nightly fuzz run "${flags[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=4096 -timeout=10 -print_final_stats=1
  cp -n "$work"/* "fuzz/corpus/$target/" 2>/dev/null || true
  cargo +nightly fuzz cmin "${flags[@]}" "$target" -- -rss_limit_mb=4096 2>&1 | tail -1
done

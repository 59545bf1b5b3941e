# The two commands of the README. Both install what is missing first (scripts/ensure-tools.sh),
# each only what it needs: build and run the build tools, check the linters, test everything.
SHELL := /bin/bash
# A failing command on the left of `| tee` fails the target (make bench must not write an empty report).
.SHELLFLAGS := -o pipefail -c
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

# The console's address follows LEPTOS_SITE_ADDR when it is set.
CONSOLE_ADDR ?= $(or $(LEPTOS_SITE_ADDR),127.0.0.1:3000)

.PHONY: run test check build tools unit e2e bench soak fuzz clean

## make run: build the site in release mode and start the console, with the KubeSphere simulator
## beside it (two processes, stopped together) unless KUBESPHERE_HOST names a real one.
run: build
	@echo ""
	@echo "  KS Console:   http://$(CONSOLE_ADDR)"
	@if [ -z "$$KUBESPHERE_HOST" ]; then \
	  echo "  KubeSphere:   simulator on $${KS_SIM_LISTEN:-127.0.0.1:9090} (demo data)"; \
	  echo "  Demo logins (password P@88w0rd for all):"; \
	  echo "    admin (platform-admin), alice (platform-self-provisioner, manages workspace demo;"; \
	  echo "    no cluster is public, so her new workspaces start without one),"; \
	  echo "    lead (a team lead: admin of demo, no platform admin), bob, carol, frank (platform-regular),"; \
	  echo "    grace (custom roles); dave is locked, erin disabled"; \
	  echo "  Single sign-on: KubeSphere's console stand-in on http://localhost:9091 (\"Company SSO\")"; \
	else echo "  KubeSphere:   $$KUBESPHERE_HOST"; fi
	@echo "  Stop with Ctrl-C."
	@echo ""
	@if [ -z "$$KUBESPHERE_HOST" ]; then \
	  LEPTOS_SITE_ADDR=$(CONSOLE_ADDR) LEPTOS_SITE_ROOT=target/site exec scripts/run-with-sim.sh; \
	else LEPTOS_SITE_ADDR=$(CONSOLE_ADDR) LEPTOS_SITE_ROOT=target/site exec ./target/release/ks-console; fi

# What building and running need: the wasm32 target, cargo-leptos, wasm-bindgen-cli, wasm-opt.
tools:
	@scripts/ensure-tools.sh

# ks-sim with the site's RUSTFLAGS, so the release dependencies are shared, not built twice.
build: tools
	cargo leptos build --release --precompress
	@# cargo-leptos gzips at a low level; browsers without Brotli get the best gzip instead (-16% on the WASM).
	@for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do gzip -9 -n -c "$$f" > "$$f.gz"; done
	RUSTFLAGS="--cfg erase_components" cargo build --release -p ks-sim

## make test: the house rules, unit and integration tests (against the simulator), then
## end-to-end in Chromium.
test: check unit e2e

## make check: rustfmt; clippy with warnings as errors for the
## server build and for the browser (wasm32, hydrate) build; cargo-deny on licenses, banned crates
## and sources (deny.toml); no unused dependency (cargo-machete); no import circle in any crate and
## no source over 400 lines outside tests/ (scripts/check-shape.py); .env.sample exactly the
## settings of the binaries' --help (scripts/env-sample.py); the API docs build with no broken
## link (cargo doc, warnings as errors).
## Installs only what checking needs: rustfmt, clippy, cargo-deny, cargo-machete.
check:
	@WANT_BUILD=0 WANT_CHECK=1 scripts/ensure-tools.sh
	cargo fmt --all -- --check
	python3 scripts/check-shape.py
	cargo machete
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	cargo deny check bans licenses sources
	cargo build --quiet -p server --bin ks-console -p ks-sim --bin ks-sim
	python3 scripts/env-sample.py --check target/debug/ks-console target/debug/ks-sim
	RUSTDOCFLAGS="-D warnings" cargo doc --quiet --workspace --exclude frontend --no-deps

unit: tools
	@WANT_REDIS=1 WANT_POSTGRES=1 scripts/ensure-tools.sh
	cargo test --workspace --exclude frontend
	scripts/check-deploy.sh --as-shipped target/debug/ks-console

e2e: build
	@WANT_BROWSER=1 scripts/ensure-tools.sh
	cd end2end && npx playwright test

## make fuzz: libFuzzer on every parser of user input and every server function's form body
## (nightly; FUZZ_SECONDS per target, default 60); the saved corpus grows, `make test` replays it.
fuzz:
	scripts/fuzz.sh

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results

## make bench: the console against the simulator's large seed; writes BENCHMARKS.md.
# Same RUSTFLAGS as `cargo leptos build --release` (always-erase-components), so the release
# dependencies built for the site are reused instead of rebuilt.
bench:
	@mkdir -p target && sed -n '/^## \(Lighthouse\|Soak\)/,$$p' BENCHMARKS.md > target/soak-kept.md
	RUSTFLAGS="--cfg erase_components" cargo run --release -p server --example bench | tee BENCHMARKS.md
	@for f in target/site/pkg/ks-console.*.wasm target/site/pkg/ks-console.*.js target/site/pkg/ks-console.*.css; do \
	  [ -f "$$f" ] || continue; \
	  printf '\nRelease asset %s (from the last `make build`): %s bytes, as served: %s bytes brotli, %s bytes gzip.\n' \
	    "$${f##*/}" "$$(wc -c < $$f)" "$$(wc -c < $$f.br)" "$$(wc -c < $$f.gz)" | tee -a BENCHMARKS.md; done
	@if [ -s target/soak-kept.md ]; then echo >> BENCHMARKS.md; cat target/soak-kept.md >> BENCHMARKS.md; fi

## make soak: 200 sessions for 60 s against the simulator with injected faults and a 5 s
## upstream outage; replaces the Soak section of BENCHMARKS.md (same RUSTFLAGS as bench).
soak:
	@mkdir -p target
	RUSTFLAGS="--cfg erase_components" cargo run --release -p server --example soak | tee target/soak.md
	@sed -i '/^## Soak/,$$d' BENCHMARKS.md && sed -n '/^## Soak/,$$p' target/soak.md >> BENCHMARKS.md

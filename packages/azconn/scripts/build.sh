#!/usr/bin/env bash
# Builds packages/azconn/gen/ (git-ignored) from crates/wasm, each with its generated .d.ts:
#   gen/forms         the forms module (entry azconn/forms), --target web, size profile: what a
#                     page needs to validate a form and start the sign-in (no callback parsing,
#                     no token request or response parsing)
#   gen/certificates  the certificate module azconn/forms loads on demand, --target web, size
#                     (profile certificates: opt-level s):
#                     inspection and PKCS#8 of PEM/DER certificates and PKCS#8, PKCS#1 and
#                     encrypted PKCS#8 keys (no client assertion, a server's step; no PFX)
#   gen/certificates-pfx  the same with PKCS#12 / .pfx files (all their ciphers: PBES2, 3DES,
#                     RC2), loaded instead for a PFX (`loadCertificates({ pfx: true })`)
#   gen/browser       forms, the token steps (feature tokens), certificates (PFX too) and the
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
# .cargo/config.toml gives every wasm32 build `--cfg aes_compact` (a RUSTFLAGS in the environment
# replaces it: the certificate modules are then about 0.4 KB gz bigger).

build() { # profile features name
  $cargo build -q -p azconn-wasm --target wasm32-unknown-unknown --profile "$1" --no-default-features --features "$2"
  cp "$target/$1/azconn_wasm.wasm" "$tmp/$3.wasm"
}
build release forms,small forms
build certificates certificates,small certificates
build certificates certificates,pfx,small certificates-pfx
build release forms,tokens,certificates,assertion,pfx,small browser
build release full full
build speed full server

rm -rf "$out"
# The producers and target_features sections are for tools, not engines: stripped (about 200 B
# gzipped per module). --converge repeats the passes while the module still shrinks;
# --low-memory-unused lets wasm-opt fold constant offsets into loads and stores, which is sound
# because rustc lays wasm32 memory out stack first: the low 1 KB is the far end of the 1 MB
# stack, never reached (with both, the forms module is 274 B gz smaller).
# The size-optimized --target web modules then get one- and two-letter import, export and
# module names, applied to their glue and types by minify-names.mjs (the forms module is about
# 1.1 KB gz smaller with its glue). The renaming pass runs with one more -Oz round, not alone:
# a wasm-opt run without optimization writes the module back without its stack-IR
# optimizations, about 0.7 KB gz bigger. The bundler glue is resolved by bundlers by name and
# keeps its names; the server module is not about size.
bindgen() { # input target dir wasm-opt-level
  wasm-bindgen --target "$2" --out-name azconn --out-dir "$out/$3" "$tmp/$1.wasm"
  local wasm="$out/$3/azconn_bg.wasm"
  if [[ $2 == web && $4 == -Oz ]]; then
    node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused "$wasm" -o "$tmp/$3.opt.wasm"
    node_modules/.bin/wasm-opt -Oz --low-memory-unused --minify-imports-and-exports-and-modules \
      --strip-producers --strip-target-features "$tmp/$3.opt.wasm" -o "$wasm" >"$tmp/$3.names.json"
    node_modules/.bin/node packages/azconn/scripts/minify-names.mjs "$tmp/$3.names.json" "$out/$3"
  else
    node_modules/.bin/wasm-opt "$4" --converge --low-memory-unused --strip-producers \
      --strip-target-features "$wasm" -o "$wasm"
  fi
}
pids=()
bindgen forms web forms -Oz & pids+=($!)
bindgen certificates web certificates -Oz & pids+=($!)
bindgen certificates-pfx web certificates-pfx -Oz & pids+=($!)
bindgen browser web browser -Oz & pids+=($!)
bindgen full web web -Oz & pids+=($!)
bindgen full bundler bundler -Oz & pids+=($!)
bindgen server web server -O3 & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
# Copies of the forms and certificate modules with their name sections, for `make bench`'s
# lists of where the bytes go.
mkdir -p target/azconn-sizes
for m in forms certificates certificates-pfx; do
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused -g "$tmp/$m.wasm" -o "target/azconn-sizes/$m.wasm" \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
done

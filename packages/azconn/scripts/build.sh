#!/usr/bin/env bash
# Builds packages/azconn/gen/ (git-ignored) from crates/wasm:
#   gen/browser  the browser build (features forms + certificates), wasm-bindgen --target web
#   gen/forms    its forms half (entry azconn/forms), --target web
#   gen/certificates  its certificate half, loaded on demand by azconn/forms, --target web
#   gen/web      the full build, --target web (browsers that want the server API, workerd)
#   gen/nodejs   the full build, --target nodejs
#   gen/bundler  the full build, --target bundler
# each optimized with npm binaryen's wasm-opt -Oz (never Debian's: it breaks the externref table).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
cargo=${CARGO:-cargo}
out=packages/azconn/gen
wasm=target/wasm32-unknown-unknown/release/azconn_wasm.wasm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

only() { # features name
  $cargo build -q -p azconn-wasm --target wasm32-unknown-unknown --release --no-default-features --features "$1"
  cp "$wasm" "$tmp/$2.wasm"
}
only forms,certificates browser
only forms forms
only certificates certificates
$cargo build -q -p azconn-wasm --target wasm32-unknown-unknown --release
cp "$wasm" "$tmp/full.wasm"

rm -rf "$out"
bindgen() { # input target dir
  wasm-bindgen --target "$2" --out-name azconn --out-dir "$out/$3" "$tmp/$1.wasm"
  rm -f "$out/$3"/*.d.ts # the package's types are hand-written (index.d.ts, browser.d.ts)
  node_modules/.bin/wasm-opt -Oz "$out/$3/azconn_bg.wasm" -o "$out/$3/azconn_bg.wasm"
}
pids=()
bindgen browser web browser & pids+=($!)
bindgen forms web forms & pids+=($!)
bindgen certificates web certificates & pids+=($!)
bindgen full web web & pids+=($!)
bindgen full nodejs nodejs & pids+=($!)
bindgen full bundler bundler & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
# The nodejs glue is CommonJS inside a "type": "module" package.
echo '{"type": "commonjs"}' > "$out/nodejs/package.json"

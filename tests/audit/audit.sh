#!/usr/bin/env bash
# Dependency audit as far as this network allows (make audit).
# 1. RUSTSEC-2023-0071 (rsa, Marvin timing attack, no fixed release): the `rsa` crate must never
#    be a normal dependency of what ships: the Worker, the browser/npm build, the plain-ABI module
#    and the core, for wasm32. (The emulator and tests may use it.)
# 2. npm audit of production dependencies, failing on high/critical. The registry's bulk advisory
#    endpoint must answer; if it does not, say so and exit 2 unless AUDIT_ALLOW_OFFLINE=1.
# cargo audit / cargo deny are not run: both fetch the RustSec advisory database as a git clone
# from GitHub, which this network cannot reach. Vendoring the database (thousands of files,
# stale the day it is committed) would give a false sense of coverage; the one advisory that
# matters to this design (rsa) is enforced structurally above instead.
# npm: the registry mirror here answers the bulk advisory endpoint
# (POST /-/npm/v1/security/advisories/bulk) with 405, so npm audit cannot run; today neither the
# root (devDependencies only) nor the published package `azconn` has production dependencies.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for crate in azconn-worker azconn-wasm azconn-abi azconn-core; do
  found=$(cargo tree -q -e normal -p "$crate" --target wasm32-unknown-unknown --prefix none | grep -E '^rsa v' | sort -u || true)
  if [ -n "$found" ]; then
    echo "audit: $crate depends on $found (RUSTSEC-2023-0071): sign with WebCrypto instead" >&2
    status=1
  else
    echo "audit: $crate (wasm32, normal edges): no rsa crate"
  fi
done
NPM=${NPM:-npm}
for dir in . packages/azconn; do
  prod=$( (cd "$dir" && $NPM ls --omit=dev --all --parseable 2>/dev/null || true) | tail -n +2 | wc -l)
  if [ "$prod" -eq 0 ]; then
    echo "audit: npm $dir: no production dependencies, nothing to audit"
    continue
  fi
  out=$(cd "$dir" && $NPM audit --omit=dev --audit-level=high --json 2>/dev/null || true)
  verdict=$(node -e '
    const r = JSON.parse(process.argv[1] || "{}");
    if (r.error || r.statusCode) { console.log("unavailable " + (r.message || r.error?.summary || r.statusCode)); process.exit(0); }
    const v = r.metadata?.vulnerabilities ?? {};
    console.log((v.high ?? 0) + (v.critical ?? 0) > 0 ? `vulnerable high=${v.high} critical=${v.critical}` : "clean");
  ' "$out")
  echo "audit: npm $dir ($prod production packages): $verdict"
  case "$verdict" in
    clean) ;;
    unavailable*) [ "${AUDIT_ALLOW_OFFLINE:-0}" = 1 ] || status=2 ;;
    *) status=1 ;;
  esac
done
exit $status

#!/usr/bin/env bash
# `make dev`: the Worker (API + the UI from www/dist) on http://127.0.0.1:8787 with the local Azure emulator (default seed,
# 127.0.0.1:8788 for Entra + Graph, 127.0.0.1:8789 for store `demo`) as its Azure. Writes a
# git-ignored .dev.vars, applies the D1 migrations locally, creates an organization and prints
# the token to sign in with. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE=${NODE:-node_modules/.bin/node}
WRANGLER=(node_modules/.bin/wrangler)
EMULATOR=target/debug/azconn-emulator
LOGDIR=$(mktemp -d)

bootstrap=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
if [ ! -f .dev.vars ] || ! grep -q '^AZCONN_ENCRYPTION_KEYS=' .dev.vars; then
  key="1:$(head -c 32 /dev/urandom | base64)"
else
  # Keep the key: the local D1 holds secrets encrypted with it.
  key=$(sed -n 's/^AZCONN_ENCRYPTION_KEYS=//p' .dev.vars)
fi
cloud='{"kind":"custom","authorityHost":"http://127.0.0.1:8788","graphRoot":"http://127.0.0.1:8788","graphAudience":"https://graph.microsoft.com","armHost":"http://127.0.0.1:8788","appConfigurationHosts":["127.0.0.1:8789"],"appConfigurationAudience":"https://appconfig.azure.com"}'
app=6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6
secret='azc8Q~emulatorDemoSecret.DoNotUseInProd01'
cat > .dev.vars <<VARS
SITE_URL=http://127.0.0.1:8787
AZCONN_CLOUD=$cloud
AZCONN_ENCRYPTION_KEYS=$key
AZCONN_BOOTSTRAP_TOKEN=$bootstrap
INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID=$app
INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET=$secret
INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_ID=$app
INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_SECRET=$secret
VARS

"$NODE" "${WRANGLER[@]}" d1 migrations apply azconn --local >"$LOGDIR/migrate.log" 2>&1 </dev/null \
  || { cat "$LOGDIR/migrate.log"; exit 1; }

pids=()
stop() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

setsid "$EMULATOR" --seed crates/emulator/seed/default.json >"$LOGDIR/emulator.out" 2>"$LOGDIR/emulator.err" </dev/null &
pids+=($!)
setsid "$NODE" "${WRANGLER[@]}" dev --local --ip 127.0.0.1 --port 8787 >"$LOGDIR/wrangler.log" 2>&1 </dev/null &
pids+=($!)

for _ in $(seq 1 240); do
  grep -q '"entra"' "$LOGDIR/emulator.out" 2>/dev/null && grep -q 'Ready on' "$LOGDIR/wrangler.log" && break
  sleep 0.5
done
grep -q 'Ready on' "$LOGDIR/wrangler.log" || { echo "wrangler dev did not start:"; cat "$LOGDIR/wrangler.log"; exit 1; }

org=$(curl -sf -X POST http://127.0.0.1:8787/api/v1/organizations \
  -H "authorization: Bearer $bootstrap" -H 'content-type: application/json' -d '{"name":"dev"}')
token=$(printf '%s' "$org" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token.value))')

cat <<MSG

azconn is running at http://127.0.0.1:8787 with the Azure emulator at http://127.0.0.1:8788.
  UI:                              http://127.0.0.1:8787/organization/app-connections
  API token (organization "dev"):  $token   (paste it on the UI's sign-in page)
  Sign in (UI session):            curl -c jar -X POST http://127.0.0.1:8787/api/v1/sessions -d '{"token":"$token"}'
  Try:  curl -H "authorization: Bearer $token" http://127.0.0.1:8787/api/v1/app-connections/azure-client-secrets
Logs: $LOGDIR. Ctrl-C stops the Worker and the emulator.
MSG
wait

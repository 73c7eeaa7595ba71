#!/usr/bin/env bash
# Generates every certificate/key format the cert module accepts or rejects, fresh each run,
# into the directory given as $1 (default: test-artifacts/certs). Nothing here is committed
# or downloaded; only the `openssl` CLI is needed (installed via apt-get if missing).
set -euo pipefail
out="${1:-$(dirname "$0")/../../test-artifacts/certs}"
if ! command -v openssl >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q openssl >/dev/null
fi
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export PASS="correct horse battery staple"
export PFXPASS="pfx pässword"
q() { "$@" >/dev/null 2>&1 || { echo "gen.sh: failed: $*" >&2; "$@"; exit 1; }; }
b64() { base64 -w0 "$1" > "$2"; }

# CA and a leaf it signs (chain), plus a self-signed leaf on the same key.
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=azconn test CA"
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem
q openssl req -new -key key.pem -out leaf.csr -subj "/CN=azconn test leaf/O=azconn"
q openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -out cert.pem
cat cert.pem ca.pem > chain.pem
cat ca.pem cert.pem > chain-reversed.pem
q openssl x509 -in cert.pem -outform DER -out cert.der
b64 cert.der cert.der.b64

# The same key in every accepted key format.
q openssl rsa -in key.pem -traditional -out key-pkcs1.pem
q openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout env:PASS -out key-enc.pem
q openssl pkcs8 -topk8 -in key.pem -nocrypt -outform DER -out key.der
b64 key.der key.der.b64
q openssl rsa -in key.pem -traditional -outform DER -out key-pkcs1.der
b64 key-pkcs1.der key-pkcs1.der.b64
# Legacy OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED): rejected with a re-encrypt hint.
q openssl rsa -in key.pem -traditional -aes256 -passout env:PASS -out key-legacy-enc.pem

# PFX: OpenSSL 3 defaults (PBES2/AES-256-CBC, PBKDF2-SHA256, HMAC-SHA256 MAC).
q openssl pkcs12 -export -inkey key.pem -in cert.pem -certfile ca.pem -passout env:PFXPASS -out chain.pfx
b64 chain.pfx chain.pfx.b64
q openssl pkcs12 -export -inkey key.pem -in cert.pem -passout pass: -out nopass.pfx
b64 nopass.pfx nopass.pfx.b64
q openssl pkcs12 -export -in cert.pem -nokeys -passout env:PFXPASS -out nokey.pfx
b64 nokey.pfx nokey.pfx.b64
# Legacy PKCS#12 PBEs, as Windows and Key Vault still export them (accepted, decrypt-only):
# RC2-40 certs + 3DES key with a SHA-1 MAC (`-legacy`), all-3DES, RC2-128 + 2-key 3DES, and a
# passwordless one. RC4 is rejected. RC2/RC4 need OpenSSL's legacy provider.
q openssl pkcs12 -export -legacy -inkey key.pem -in cert.pem -passout env:PFXPASS -out legacy.pfx
q openssl pkcs12 -export -legacy -inkey key.pem -in cert.pem -passout pass: -out legacy-nopass.pfx
q openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -inkey key.pem -in cert.pem -passout env:PFXPASS -out 3des.pfx
q openssl pkcs12 -export -legacy -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128 -inkey key.pem -in cert.pem -passout env:PFXPASS -out rc2-128.pfx
q openssl pkcs12 -export -legacy -keypbe PBE-SHA1-RC4-128 -certpbe PBE-SHA1-RC4-128 -inkey key.pem -in cert.pem -passout env:PFXPASS -out rc4.pfx
# Without a MAC, so that mutation tests reach the decryption and bag parsing.
q openssl pkcs12 -export -nomac -inkey key.pem -in cert.pem -passout env:PFXPASS -out nomac.pfx
q openssl pkcs12 -export -nomac -legacy -inkey key.pem -in cert.pem -passout env:PFXPASS -out nomac-legacy.pfx
for f in legacy legacy-nopass 3des rc2-128 rc4 nomac nomac-legacy; do b64 "$f.pfx" "$f.pfx.b64"; done

# Rejected: another key (mismatch), EC, 1024-bit RSA.
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other-key.pem
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec-key.pem -out ec-cert.pem -days 365 -subj "/CN=azconn ec"
q openssl ec -in ec-key.pem -out ec-key-sec1.pem
q openssl req -x509 -newkey rsa:1024 -nodes -keyout rsa1024-key.pem -out rsa1024-cert.pem -days 365 -subj "/CN=azconn 1024"

# Validity: expiring in 10 days (a warning), expired, not yet valid (same key).
q openssl req -x509 -key key.pem -out soon-cert.pem -days 10 -subj "/CN=azconn soon"
mkdir -p db && : > db/index.txt && echo 01 > db/serial
cat > db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = $out/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
q openssl ca -batch -config db/ca.cnf -cert ca.pem -keyfile ca.key -in leaf.csr -notext \
  -startdate 20200101000000Z -enddate 20210101000000Z -out expired-cert.pem
q openssl ca -batch -config db/ca.cnf -cert ca.pem -keyfile ca.key -in leaf.csr -notext \
  -startdate 20991231000000Z -enddate 21001231000000Z -out future-cert.pem
echo "$out"

// The client assertion (crates/wasm assertion.rs): its result object, the WebCrypto key import
// and signature, and the compact JWS.
import { utf8 } from '../values.js';

export function unsignedAssertion(algorithm, signingInput, signatureLength, name, hash, saltLength) {
  const webCrypto = { name, hash };
  if (saltLength !== undefined) webCrypto.saltLength = saltLength;
  return { algorithm, signingInput, signatureLength, webCrypto };
}

/** A non-extractable signing key; WebCrypto copies `pkcs8` (a view of wasm memory) during the call. */
export const importSigningKey = (pkcs8, name) =>
  crypto.subtle.importKey('pkcs8', pkcs8, { name, hash: 'SHA-256' }, false, ['sign']);

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Two base64url characters per 12 bits: a third of the cost of `btoa` over a binary string. */
const PAIRS = Array.from({ length: 4096 }, (_, i) => B64U[i >> 6] + B64U[i & 63]);
const base64url = (b) => {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += PAIRS[n >> 12] + PAIRS[n & 4095];
  }
  if (i + 1 === b.length) s += PAIRS[b[i] << 4];
  else if (i + 2 === b.length) {
    const n = (b[i] << 10) | (b[i + 1] << 2);
    s += PAIRS[n >> 6] + B64U[n & 63];
  }
  return s;
};

/** The compact JWS: the signing input, a dot, and the base64url WebCrypto signature. */
export async function signJws(key, name, saltLength, signingInput) {
  const params = saltLength === undefined ? { name } : { name, saltLength };
  const signature = await crypto.subtle.sign(params, await key, utf8.encode(signingInput));
  return signingInput + '.' + base64url(new Uint8Array(signature));
}

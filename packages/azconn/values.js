// The JavaScript side of crates/wasm that every generated glue imports (`raw_module`
// "../../values.js"): input properties read without JSON, the platform CSPRNG, and the one
// AzconnError class of the package, whichever wasm module (forms, certificates, full) threw.
// Each result is built by one call (one boundary crossing instead of one per property) in the
// file of the feature that returns it (values/*.js), so that a module's glue carries only its
// own builders: the glue imports each file whole, as the wasm imports object.

/** A refusal from the core: branch on `code`, show `message` and `hint`; `field` names the input. */
export class AzconnError extends Error {
  constructor(code, message, field, hint) {
    super(message);
    this.name = 'AzconnError';
    this.code = code;
    this.field = field ?? null;
    this.hint = hint ?? null;
  }
}

export const fail = (code, message, field, hint) => new AzconnError(code, message, field, hint);

/** `o[k]` for objects, undefined for anything else. */
export const prop = (o, k) => (o !== null && typeof o === 'object' ? o[k] : undefined);
export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An array of strings as one text joined by `\n`; null for anything else. */
export function lines(v) {
  if (!Array.isArray(v)) return null;
  for (const s of v) if (typeof s !== 'string' || s.includes('\n')) return null;
  return v.join('\n');
}

/** The one TextEncoder of the token and assertion builders (values/tokens.js, values/assertion.js). */
export const utf8 = new TextEncoder();

/** CSPRNG bytes drawn from a pool refilled by `crypto.getRandomValues` (as Node's `randomUUID`
 * does): one call into the platform per 1 KiB instead of per draw, which costs microseconds in
 * Node. Bytes handed out are zeroed in the pool at once. */
const pool = new Uint8Array(1024);
let poolAt = pool.length;
export function randomBytes(n) {
  if (n > pool.length) return crypto.getRandomValues(new Uint8Array(n));
  if (poolAt + n > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + n);
  pool.fill(0, poolAt, (poolAt += n));
  return out;
}

/** A space-separated list (`split(' ')` costs a quarter of a microsecond even for one word). */
export function words(s) {
  if (!s) return [];
  let j = s.indexOf(' ');
  if (j < 0) return [s];
  const out = [];
  let i = 0;
  do {
    out.push(s.slice(i, j));
    i = j + 1;
    j = s.indexOf(' ', i);
  } while (j >= 0);
  out.push(s.slice(i));
  return out;
}
/** Lines of `s` (none for an empty text). */
export const split = (s) => (s ? s.split('\n') : []);
export const list = () => [];
export const push = (a, v) => {
  a.push(v);
};

export function errorObject(code, message, field, hint) {
  const e = { code, message };
  if (field !== undefined) e.field = field;
  if (hint !== undefined) e.hint = hint;
  return e;
}

/** A Uint8Array's bytes; null for anything else. */
export const bytesOf = (v) => (v instanceof Uint8Array ? v : null);

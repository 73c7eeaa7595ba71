// The wasm core, loaded lazily: the page renders first (fields reserve their message space, so
// nothing shifts), validation starts when the module is ready. The certificate functions are a
// second module (`loadCertificates()`), fetched when the certificate panel first needs them.
import type * as Azconn from 'azconn/forms';

export type Core = typeof Azconn;

let loading: Promise<Core> | null = null;

export function loadCore(): Promise<Core> {
  loading ??= import('azconn/forms');
  return loading;
}

// The wasm core, loaded lazily: the page renders first (fields reserve their message space, so
// nothing shifts), validation starts when the module is ready.
import type * as Azconn from 'azconn/browser';

export type Core = typeof Azconn;

let loading: Promise<Core> | null = null;

export function loadCore(): Promise<Core> {
  loading ??= import('azconn/browser');
  return loading;
}

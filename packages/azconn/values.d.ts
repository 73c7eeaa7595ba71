// Types of values.js: the package's error class (the rest of values.js is the wasm glue's
// private import surface).

/** Every refusal of the core: branch on `code` (stable, kebab-case), show `message` and `hint`;
 * `field` names the input (form field or protocol element) it concerns. */
export declare class AzconnError extends Error {
  constructor(code: string, message: string, field?: string | null, hint?: string | null);
  readonly name: 'AzconnError';
  code: string;
  field: string | null;
  hint: string | null;
}

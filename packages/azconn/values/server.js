// Reads and results of the server exports (crates/wasm server.rs: rotation).

/** An array's length; undefined for anything else. */
export const length = (v) => (Array.isArray(v) ? v.length : undefined);
export const at = (a, i) => a[i];
export const rotationNext = (rotation, step) => ({ rotation, step });
export const rotationStep = (rotation, error) => (error === undefined ? { rotation } : { rotation, error });

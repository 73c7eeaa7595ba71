// Full entry for bundlers with WebAssembly ESM integration (wasm-bindgen --target bundler).
// Types: index.d.ts.
export * from './gen/bundler/azconn.js';
export { AzconnError } from './values.js';

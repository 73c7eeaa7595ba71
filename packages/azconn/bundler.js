// Full entry for bundlers with WebAssembly ESM integration (wasm-bindgen --target bundler).
// Types: index.d.ts.
import * as raw from './gen/bundler/azconn.js';
import { serverApi } from './api.js';

export * from './gen/bundler/azconn.js';
export { AzconnError } from './values.js';
export const { call, graph, appConfig, retryDecide, syncPlan, rotation } = serverApi(raw);

// Full entry for Cloudflare Workers (workerd): wrangler's bundler imports .wasm files as a
// compiled WebAssembly.Module, so the speed-optimized module is instantiated synchronously.
// Types: index.d.ts.
import * as raw from './gen/server/azconn.js';
import module from './gen/server/azconn_bg.wasm';

raw.initSync({ module });

export * from './gen/server/azconn.js';
export { AzconnError } from './values.js';

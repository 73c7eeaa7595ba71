// Full entry for browsers and other web-standard runtimes (`azconn/full`), size-optimized.
// Types: index.d.ts.
import init from './gen/web/azconn.js';

await init({ module_or_path: new URL('./gen/web/azconn_bg.wasm', import.meta.url) });

export * from './gen/web/azconn.js';
export { AzconnError } from './values.js';

// Browser entry: the forms, token and certificate exports in one module, without the Graph / App
// Configuration / sync / rotation code. Types: browser.d.ts.
import init from './gen/browser/azconn.js';

await init({ module_or_path: new URL('./gen/browser/azconn_bg.wasm', import.meta.url) });

export * from './gen/browser/azconn.js';
export { AzconnError } from './values.js';

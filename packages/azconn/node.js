// Full entry for Node.js: the speed-optimized module (gen/server, opt-level 3) with the web
// glue, instantiated synchronously from the file. Types: index.d.ts.
import { readFileSync } from 'node:fs';
import * as raw from './gen/server/azconn.js';

raw.initSync({ module: readFileSync(new URL('./gen/server/azconn_bg.wasm', import.meta.url)) });

export * from './gen/server/azconn.js';
export { AzconnError } from './values.js';

// Types of the full entry of `azconn` (Node, workerd, bundlers, 'azconn/full'): the generated
// types of the full module (forms and certificate exports, HMAC), and the server functions
// (Graph, App Configuration, retry, sync, rotation).
export * from './gen/server/azconn.js';
export * from './server.js';
export { AzconnError } from './values.js';
import type { Json } from './server.js';
/** Runs a server operation by name (`graph.*`, `appconfig.*`, `retry.*`, `sync.*`,
 * `rotation.*`) with the vectors' JSON shapes. */
export declare function call(op: string, input: Json): unknown;

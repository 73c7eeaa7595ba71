// Types of the full entry of `azconn` (Node, workerd, bundlers, 'azconn/full'): the generated
// types of the full module (forms, certificate and server exports).
export * from './gen/server/azconn.js';
export { AzconnError } from './values.js';

// Types of the browser entry of `azconn`: the generated forms, token, certificate and client
// assertion types.
export * from './gen/browser/azconn.js';
export { AzconnError } from './values.js';

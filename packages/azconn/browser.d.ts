// Types of the browser entry of `azconn`: the generated forms, token and certificate types.
export * from './gen/browser/azconn.js';
export { AzconnError } from './values.js';

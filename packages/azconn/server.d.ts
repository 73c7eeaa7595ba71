// Types of the server-side functions of the full entry (Graph, App Configuration, retry, sync,
// rotation). They still run through the named-operation tunnel (`call`), so these shapes are
// written here until those exports are typed in crates/wasm like the forms ones.
import type { CloudInput, HttpRequest } from './gen/server/azconn.js';

/** JSON as the tunnel takes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A response as the tunnel takes it: the body as text. */
export interface HttpResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/** A JSON object: state to persist and pass back, or an Azure shape. */
export type JsonObject = { [key: string]: Json };

/** An application by object ID or by application (client) ID. */
export type AppRef = { objectId: string } | { appId: string };

export interface GraphParams {
  cloud?: CloudInput;
  /** The Graph access token (secret). */
  token: string;
}

export interface PasswordSpec {
  displayName: string;
  /** Unix seconds. */
  startsAt?: number;
  /** Unix seconds. */
  endsAt: number;
}

/** Builders of Microsoft Graph requests and parsers of its responses. */
export declare const graph: {
  listApplications(params: GraphParams & { query?: { select?: string[]; top?: number; filter?: JsonObject } }): HttpRequest;
  nextPage(params: GraphParams & { nextLink: string }): HttpRequest;
  getApplication(params: GraphParams & { app: AppRef; select?: string[] }): HttpRequest;
  getCredentials(params: GraphParams & { app: AppRef }): HttpRequest;
  addPassword(params: GraphParams & { app: AppRef; spec: PasswordSpec }): HttpRequest;
  removePassword(params: GraphParams & { app: AppRef; keyId: string }): HttpRequest;
  listOwners(params: GraphParams & { app: AppRef }): HttpRequest;
  me(params: GraphParams): HttpRequest;
  organization(params: GraphParams): HttpRequest;
  parseApplicationPage(response: HttpResponse): { items: JsonObject[]; nextLink: string | null };
  parseApplication(response: HttpResponse): {
    id: string;
    appId: string;
    displayName: string | null;
    passwordCredentials: JsonObject[];
    keyCredentials: JsonObject[];
  };
  /** The new secret (`secret` is the secret text: store it, never log it) and its metadata. */
  parseAddedPassword(response: HttpResponse): { secret: string; credential: JsonObject };
  parseRemovedPassword(response: HttpResponse): null;
  parseOwners(response: HttpResponse): JsonObject[];
  parseMe(response: HttpResponse): { id: string; displayName: string | null; userPrincipalName: string | null; mail: string | null };
  parseOrganization(response: HttpResponse): { id: string; displayName: string | null; defaultDomain: string | null };
  parseError(response: HttpResponse): JsonObject;
  /** Whether granted permissions suffice for each operation, with a hint when not. */
  preflight(granted: JsonObject, ownsTarget?: boolean): JsonObject[];
};

/** A store by endpoint, authenticated by a bearer token or an access-key connection string. */
export interface AppConfigParams {
  cloud?: CloudInput;
  endpoint: string;
  apiVersion?: string;
}

export type Condition = 'none' | 'ifMatchAny' | 'ifNoneMatchAny' | { ifMatch: string };

export interface KvWrite {
  value: string;
  contentType?: string | null;
  tags?: { [tag: string]: string };
}

/** A key-value as App Configuration spells it. */
export interface KeyValue {
  key: string;
  label: string | null;
  value: string | null;
  content_type: string | null;
  etag: string;
  last_modified: string | null;
  locked: boolean;
  tags: { [tag: string]: string };
}

/** Builders of App Configuration requests (data plane) and parsers of its responses. */
export declare const appConfig: {
  get(params: AppConfigParams & { key: string; label?: string | null }): HttpRequest;
  list(params: AppConfigParams & { query: JsonObject }): HttpRequest;
  nextPage(params: AppConfigParams & { nextLink: string }): HttpRequest;
  put(params: AppConfigParams & { key: string; label?: string | null; write: KvWrite; condition?: Condition }): HttpRequest;
  delete(params: AppConfigParams & { key: string; label?: string | null; condition?: Condition }): HttpRequest;
  /** Adds the bearer token and Sync-Token headers to a built request. */
  authorize(params: { request: HttpRequest; token: string; responses?: HttpResponse[] }): HttpRequest;
  /** Signs a built request with an access key (HMAC-SHA256) at `now` (unix seconds). */
  sign(params: { cloud?: CloudInput; request: HttpRequest; connectionString: string; now: number }): HttpRequest;
  /** The Sync-Token header value accumulated from earlier responses. */
  syncTokens(responses: HttpResponse[]): string;
  parseList(params: AppConfigParams & { response: HttpResponse }): { items: KeyValue[]; nextLink: string | null };
  parseGet(response: HttpResponse): KeyValue | null;
  parsePut(response: HttpResponse): KeyValue;
  parseDelete(response: HttpResponse): KeyValue | null;
  parseError(response: HttpResponse): JsonObject;
};

export interface RetryParams {
  policy?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; budgetMs?: number };
  attempt: number;
  elapsedMs: number;
  /** The response, or omitted for a timeout. */
  response?: HttpResponse;
  /** Unix seconds (for Retry-After dates). */
  now: number;
  /** A random number for jitter, drawn by the host. */
  entropy: number;
}

/** Whether and when to retry a request (Retry-After, 429/5xx, budget). */
export declare function retryDecide(params: RetryParams): { decision: string; afterMs?: number; reason?: string; status?: number };

/** Plans a secret sync into an App Configuration store from listed pages and desired values. */
export declare function syncPlan(params: {
  endpoint: string;
  spec: JsonObject;
  desired: { [key: string]: JsonObject };
  pages?: HttpResponse[];
}): { listRequests: HttpRequest[]; plan: JsonObject; opRequests: HttpRequest[] };

/** Persisted rotation state: store it as is and hand it back. */
export type RotationState = JsonObject & { phase: Json; config: JsonObject };

/** The client-secret rotation state machine the host drives. */
export declare const rotation: {
  start(config: JsonObject): RotationState;
  /** The next request to send (or that the rotation is done / waiting). */
  next(rotation: RotationState, token: string, now: number): { rotation: RotationState; step: JsonObject };
  onResponse(rotation: RotationState, response: HttpResponse, now: number): { rotation: RotationState; error?: JsonObject };
  onVerified(rotation: RotationState, outcome: 'ok' | JsonObject, now: number): { rotation: RotationState; error?: JsonObject };
  onPublished(rotation: RotationState): { rotation: RotationState; error?: JsonObject };
};


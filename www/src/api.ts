// The Worker's JSON API (host/README.md), with the session cookie. Every call answers typed
// data or throws ApiFailure carrying the server's error object (code, message, field, hint).

import type { Code, ConnectionType, FieldError } from 'azconn/full';
import type {
  Clients,
  ConnectionBody,
  ConnectionDeleted,
  Dependent,
  ConnectionList,
  KeysChoice,
  ConnectionOptions,
  LeftoverBody,
  LeftoverDeleted,
  LeftoverList,
  OAuthStarted,
  PreviewBody,
  Rotated,
  RotationBody,
  RotationDeleted,
  RotationList,
  RotationPatch,
  RotationRequest,
  RunRequest,
  SecretsChoice,
  SessionCreated,
  SessionView,
  SyncBody,
  SyncDeleted,
  SyncList,
  SyncPatch,
  SyncRequest,
  Validation,
} from './gen/api';

// The core's types, from the package; the Worker's bodies, generated from host/src/api.rs
// (www/src/gen/api.ts); under the names the UI uses.
export type { Application as ClientApp, Conflict as SyncConflict, ConnectionType, Method, PasswordCredential } from 'azconn/full';
export type {
  ConnectionView as Connection,
  Dependent,
  KeysChoice,
  LeftoverDeleted,
  LeftoverSecret,
  LeftoverView as Leftover,
  MethodOption,
  Preview as SyncPreview,
  RotateAtUtc,
  Rotated as RotateResult,
  RotationDeleted,
  RotationView as Rotation,
  RotationPatch,
  SecretsChoice,
  StepTaken as RotationStep,
  SyncDeleted,
  SyncView as Sync,
  SyncPatch,
  TypeOptions as ConnectionOption,
} from './gen/api';

/** The server's error object, or the client's own when no answer came (`network`, `http`). */
export type ApiErrorObject = Omit<FieldError, 'code'> & { code: Code | 'network' | 'http' };

/**
 * What the user chose after the preview: keys to take over, the deletions confirmed (null: none),
 * and the preview's fingerprint, so the run applies that plan or nothing.
 */
export type SyncRunChoices = Pick<Required<RunRequest>, 'adopt' | 'fingerprint'> & { confirmDeletes: number | null };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorObject,
    readonly errors: ApiErrorObject[] = [],
    /** What uses the record (a 409 on delete), or still does after a delete stopped. */
    readonly dependents: Dependent[] = [],
    /** What a delete with its dependents removed before it stopped. */
    readonly deleted: Dependent[] = [],
  ) {
    super(error.message);
    this.name = 'ApiFailure';
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, { code: 'network', message: 'azconn cannot be reached', hint: 'check your connection and try again' });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: ApiErrorObject; errors?: ApiErrorObject[]; dependents?: Dependent[]; deleted?: Dependent[] } | null) ?? null;
    // The session expired mid-use: the shell sends the user to sign in and back.
    if (res.status === 401 && path !== '/sessions' && path !== '/session') {
      window.dispatchEvent(new CustomEvent('azconn:unauthenticated'));
    }
    throw new ApiFailure(
      res.status,
      e?.error ?? { code: 'http', message: `azconn answered ${res.status}` },
      e?.errors ?? [],
      e?.dependents ?? [],
      e?.deleted ?? [],
    );
  }
  return json as T;
}

const enc = encodeURIComponent;

/** Deleting a connection's dependents with it: the rotations' secrets and the syncs' keys. */
export interface DependentChoices {
  secrets?: SecretsChoice;
  keys?: KeysChoice;
}

function dependentsQuery(c: DependentChoices): string {
  const q = new URLSearchParams({ dependents: 'delete' });
  if (c.secrets) q.set('secrets', c.secrets);
  if (c.keys) q.set('keys', c.keys);
  return q.toString();
}

export const api = {
  signIn: (token: string) => call<SessionCreated>('POST', '/sessions', { token }),
  session: () => call<SessionView>('GET', '/session'),
  signOut: () => call<unknown>('DELETE', '/sessions'),
  options: () => call<ConnectionOptions>('GET', '/app-connections/options'),
  list: (type: ConnectionType) => call<ConnectionList>('GET', `/app-connections/${type}`),
  get: (type: ConnectionType, id: string) =>
    call<ConnectionBody>('GET', `/app-connections/${type}/${enc(id)}`),
  create: (type: ConnectionType, form: Record<string, string>) =>
    call<ConnectionBody>('POST', `/app-connections/${type}`, form),
  update: (type: ConnectionType, id: string, form: Record<string, string>) =>
    call<ConnectionBody>('PATCH', `/app-connections/${type}/${enc(id)}`, form),
  /** Without `choices`, a connection in use is refused (409 listing its dependents); with them,
   * its rotations and syncs are deleted first (`secrets`, `keys`: what happens to what they made). */
  remove: (type: ConnectionType, id: string, choices?: DependentChoices) =>
    call<ConnectionDeleted>('DELETE', `/app-connections/${type}/${enc(id)}${choices ? `?${dependentsQuery(choices)}` : ''}`),
  validate: (type: ConnectionType, id: string) =>
    call<Validation>(
      'POST',
      `/app-connections/${type}/${enc(id)}/validate`,
    ),
  oauthStart: (type: ConnectionType, body: Record<string, string>) =>
    call<OAuthStarted>('POST', `/app-connections/${type}/oauth/start`, body),
  clients: (id: string, next?: string) =>
    call<Clients>(
      'GET',
      `/app-connections/azure-client-secrets/${enc(id)}/clients?top=50${next ? `&next=${enc(next)}` : ''}`,
    ),
  rotations: () => call<RotationList>('GET', '/secret-rotations/azure-client-secret'),
  rotation: (id: string) => call<RotationBody>('GET', `/secret-rotations/azure-client-secret/${enc(id)}`),
  createRotation: (body: RotationRequest) =>
    call<RotationBody>('POST', '/secret-rotations/azure-client-secret', body),
  /** Writes only at `patch.version`: a rotation changed (or running) since is a 409 on `version`. */
  updateRotation: (id: string, patch: RotationPatch) =>
    call<RotationBody>('PATCH', `/secret-rotations/azure-client-secret/${enc(id)}`, patch),
  /** `secrets`: revoke the client secrets the rotation created in Entra ID, or keep them. */
  deleteRotation: (id: string, secrets: SecretsChoice) =>
    call<RotationDeleted>('DELETE', `/secret-rotations/azure-client-secret/${enc(id)}?secrets=${secrets}`),
  rotate: (id: string) => call<Rotated>('POST', `/secret-rotations/azure-client-secret/${enc(id)}/rotate`),
  /** The rotations deleted with `keep`, newest first (from storage: no Graph call). */
  leftovers: () => call<LeftoverList>('GET', '/secret-rotations/azure-client-secret/leftover-secrets'),
  /** One leftover and which of its secrets the app still has (read from Graph now). */
  leftover: (id: string) => call<LeftoverBody>('GET', `/secret-rotations/azure-client-secret/leftover-secrets/${enc(id)}`),
  /** `secrets`: revoke what it left on the app, or keep them and only forget the record. */
  deleteLeftover: (id: string, secrets: SecretsChoice) =>
    call<LeftoverDeleted>('DELETE', `/secret-rotations/azure-client-secret/leftover-secrets/${enc(id)}?secrets=${secrets}`),
  syncs: () => call<SyncList>('GET', '/secret-syncs/azure-app-configuration'),
  sync: (id: string) => call<SyncBody>('GET', `/secret-syncs/azure-app-configuration/${enc(id)}`),
  createSync: (body: SyncRequest) =>
    call<SyncBody>('POST', '/secret-syncs/azure-app-configuration', body),
  /** Writes only at `patch.version`: a sync changed since is a 409 on `version`. */
  updateSync: (id: string, patch: SyncPatch) =>
    call<SyncBody>('PATCH', `/secret-syncs/azure-app-configuration/${enc(id)}`, patch),
  /** `keys`: remove the keys the sync owns from the store, or keep them. */
  deleteSync: (id: string, keys: KeysChoice) =>
    call<SyncDeleted>('DELETE', `/secret-syncs/azure-app-configuration/${enc(id)}?keys=${keys}`),
  previewSync: (id: string, secrets: Record<string, string>) =>
    call<PreviewBody>('POST', `/secret-syncs/azure-app-configuration/${enc(id)}/run`, { secrets, dryRun: true } satisfies RunRequest),
  runSync: (id: string, secrets: Record<string, string>, choices: SyncRunChoices) =>
    call<SyncBody>('POST', `/secret-syncs/azure-app-configuration/${enc(id)}/run`, {
      secrets,
      ...(choices.adopt.length ? { adopt: choices.adopt } : {}),
      ...(choices.confirmDeletes === null ? {} : { confirmDeletes: choices.confirmDeletes }),
      fingerprint: choices.fingerprint,
    } satisfies RunRequest),
};

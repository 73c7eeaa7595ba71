// The Worker's JSON API (host/README.md), with the session cookie. Every call answers typed
// data or throws ApiFailure carrying the server's error object (code, message, field, hint).

import type { ConnectionType, FieldError, Method } from 'azconn/forms';

export type { ConnectionType, Method };
/** The Worker answers errors as the core spells them. */
export type ApiErrorObject = FieldError;

export interface CertificateFacts {
  subject?: string;
  notAfter?: string;
  thumbprintSha1?: string;
  thumbprintSha256?: string;
}

export interface Connection {
  id: string;
  type: ConnectionType;
  method: Method;
  name: string;
  description: string | null;
  tenantId: string;
  clientId: string | null;
  cloud: string;
  endpoint: string | null;
  credential: { certificate?: CertificateFacts; user?: string | null; permission?: string; [k: string]: unknown } | null;
  status: 'active' | 'needs-reauth' | 'failing';
  lastError: ApiErrorObject | null;
  lastValidatedAt: number | null;
  createdBy?: string | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface MethodOption {
  method: Method;
  available: boolean;
  /** Why the method is unavailable: names the setting to configure. */
  reason?: ApiErrorObject;
}

export interface ConnectionOption {
  type: ConnectionType;
  redirectUri: string;
  methods: MethodOption[];
}

export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string | null;
  /** Unix seconds. */
  startsAt: number | null;
  endsAt: number | null;
}

export interface ClientApp {
  id: string;
  appId: string;
  displayName: string;
  passwordCredentials: PasswordCredential[];
}

export interface RotationStep {
  step: string;
  at: number;
  ok: boolean;
  detail?: string;
}

export interface Rotation {
  id: string;
  connectionId: string;
  target: { appId: string; objectId: string; displayName: string };
  lifetimeDays: number;
  intervalDays: number;
  keepPrevious: number;
  status: string;
  step?: string | null;
  lastError: ApiErrorObject | null;
  current: { keyId: string | null; hint: string | null; expiresAt: string | null };
  nextRotationAt: number | null;
}

export interface RotateResult {
  rotation: Rotation;
  secret: { keyId: string; value: string; expiresAt: number | null } | null;
  removed?: string[];
  steps?: RotationStep[];
}

export interface SyncPreview {
  create: string[];
  update: string[];
  delete: string[];
  unchanged: string[];
  skipped: { key: string; reason: string }[];
  imported: string[];
  /** Desired keys the sync does not own: left alone unless adopted. */
  conflicts: SyncConflict[];
  /** The deletions a run must confirm (it deletes more than it keeps), or null. */
  confirmDeletes: number | null;
}

/** A key in the store that the sync wants but does not own; `owner` is the owning sync's id. */
export interface SyncConflict {
  key: string;
  reason: 'unmanaged' | 'unowned' | 'otherSync';
  owner: string | null;
}

/** What the user chose after the preview: keys to take over, deletions confirmed. */
export interface SyncRunChoices {
  adopt: string[];
  confirmDeletes: number | null;
}

export interface Sync {
  id: string;
  connectionId: string;
  endpoint: string;
  label: string | null;
  keyPrefix: string;
  mode: string;
  lastRun: {
    id: string;
    status: string;
    startedAt: number;
    finishedAt: number | null;
    plan: { op: string; key: string; label: string | null }[] | null;
    result: { applied?: { op: string; key: string }[]; skipped?: unknown[]; imported?: string[]; conflicts?: SyncConflict[]; error?: ApiErrorObject } | null;
  } | null;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorObject,
    readonly errors: ApiErrorObject[] = [],
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
    const e = (json as { error?: ApiErrorObject; errors?: ApiErrorObject[] } | null) ?? null;
    // The session expired mid-use: the shell sends the user to sign in and back.
    if (res.status === 401 && path !== '/sessions' && path !== '/session') {
      window.dispatchEvent(new CustomEvent('azconn:unauthenticated'));
    }
    throw new ApiFailure(
      res.status,
      e?.error ?? { code: 'http', message: `azconn answered ${res.status}` },
      e?.errors ?? [],
    );
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  signIn: (token: string) => call<{ organizationId: string }>('POST', '/sessions', { token }),
  session: () => call<{ organizationId: string; organizationName: string }>('GET', '/session'),
  signOut: () => call<unknown>('DELETE', '/sessions'),
  options: () => call<{ options: ConnectionOption[] }>('GET', '/app-connections/options'),
  list: (type: ConnectionType) => call<{ appConnections: Connection[] }>('GET', `/app-connections/${type}`),
  get: (type: ConnectionType, id: string) =>
    call<{ appConnection: Connection }>('GET', `/app-connections/${type}/${enc(id)}`),
  create: (type: ConnectionType, form: Record<string, string>) =>
    call<{ appConnection: Connection }>('POST', `/app-connections/${type}`, form),
  update: (type: ConnectionType, id: string, form: Record<string, string>) =>
    call<{ appConnection: Connection }>('PATCH', `/app-connections/${type}/${enc(id)}`, form),
  remove: (type: ConnectionType, id: string) => call<unknown>('DELETE', `/app-connections/${type}/${enc(id)}`),
  validate: (type: ConnectionType, id: string) =>
    call<{ valid: boolean; error?: ApiErrorObject; appConnection: Connection }>(
      'POST',
      `/app-connections/${type}/${enc(id)}/validate`,
    ),
  oauthStart: (type: ConnectionType, body: Record<string, string>) =>
    call<{ url: string; redirectUri: string; expiresIn: number }>('POST', `/app-connections/${type}/oauth/start`, body),
  clients: (id: string, next?: string) =>
    call<{ clients: ClientApp[]; nextLink: string | null }>(
      'GET',
      `/app-connections/azure-client-secrets/${enc(id)}/clients?top=50${next ? `&next=${enc(next)}` : ''}`,
    ),
  rotations: () => call<{ rotations: Rotation[] }>('GET', '/secret-rotations/azure-client-secret'),
  rotation: (id: string) => call<{ rotation: Rotation }>('GET', `/secret-rotations/azure-client-secret/${enc(id)}`),
  createRotation: (body: { connectionId: string; appId: string; lifetimeDays: number; intervalDays: number }) =>
    call<{ rotation: Rotation }>('POST', '/secret-rotations/azure-client-secret', body),
  rotate: (id: string) => call<RotateResult>('POST', `/secret-rotations/azure-client-secret/${enc(id)}/rotate`),
  syncs: () => call<{ syncs: Sync[] }>('GET', '/secret-syncs/azure-app-configuration'),
  createSync: (body: { connectionId: string; endpoint: string; label: string; keyPrefix: string; mode: string }) =>
    call<{ sync: Sync }>('POST', '/secret-syncs/azure-app-configuration', body),
  previewSync: (id: string, secrets: Record<string, string>) =>
    call<{ preview: SyncPreview }>('POST', `/secret-syncs/azure-app-configuration/${enc(id)}/run`, { secrets, dryRun: true }),
  runSync: (id: string, secrets: Record<string, string>, choices: SyncRunChoices) =>
    call<{ sync: Sync }>('POST', `/secret-syncs/azure-app-configuration/${enc(id)}/run`, {
      secrets,
      ...(choices.adopt.length ? { adopt: choices.adopt } : {}),
      ...(choices.confirmDeletes === null ? {} : { confirmDeletes: choices.confirmDeletes }),
    }),
};

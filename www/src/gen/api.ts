// Generated from host/src/api.rs by `make types` (host/src/api_types.rs): do not edit.

import type { Application, Cloud, Conflict, ConnectionType, FieldError, Method, SkipReason, SyncMode } from 'azconn/full';

/**
 * `POST /app-connections/{type}/{id}/token`.
 */
export type AccessTokenBody = { accessToken: string, expiresAt: number, tokenType: TokenType, };

/**
 * One row of `audit_log`. `detail` is stored as the JSON text it was recorded with and
 * answered as that JSON value, so no client parses JSON inside JSON.
 */
export type AuditEntry = { id: number, at: number, actor: string, action: string, target: string | null, outcome: string, detail: unknown, };

/**
 * `GET /audit-log`: one page, newest first. `nextCursor` is the `before` that asks for the
 * next page, `null` on the last one.
 */
export type AuditPage = { entries: Array<AuditEntry>, nextCursor: number | null, };

/**
 * `GET /app-connections/azure-client-secrets/{id}/clients`.
 */
export type Clients = { clients: Array<Application>, nextLink: string | null, };

/**
 * `{appConnection}`: get, create, update, delete.
 */
export type ConnectionBody = { appConnection: ConnectionView, };

/**
 * `DELETE /app-connections/{type}/{id}`: the connection, and what was deleted with it
 * (`?dependents=delete`; empty otherwise), each as its own DELETE answers.
 */
export type ConnectionDeleted = { appConnection: ConnectionView, rotations: Array<RotationDeleted>, syncs: Array<SyncDeleted>, };

/**
 * `GET /app-connections/{type}`.
 */
export type ConnectionList = { appConnections: Array<ConnectionView>, };

/**
 * `GET /app-connections/options`.
 */
export type ConnectionOptions = { cloud: Cloud, options: Array<TypeOptions>, };

/**
 * Whether a connection works, as its last check or token acquisition found it.
 */
export type ConnectionStatus = "active" | "needs-reauth" | "failing";

/**
 * A connection as the API shows it: never a secret.
 */
export type ConnectionView = { id: string, type: ConnectionType, method: Method, name: string, description: string | null, tenantId: string, clientId: string | null, cloud: string, endpoint: string | null, credential: JsonValue | null, status: ConnectionStatus, lastError: FieldError | null, lastValidatedAt: number | null, version: number, createdBy: string | null, createdAt: number, updatedAt: number, };

export type CurrentKey = { keyId: string | null, hint: string | null, expiresAt: string | null, };

/**
 * A record that uses another one.
 */
export type Dependent = { kind: DependentKind, id: string, name: string, };

export type DependentKind = "rotation" | "sync";

/**
 * `GET /encryption`: the deployment's keyring against what storage holds. A version can leave
 * `AZCONN_ENCRYPTION_KEYS` once it is in `unusedVersions`.
 */
export type EncryptionStatus = { 
/**
 * The version new values are sealed with: the newest listed.
 */
currentVersion: number, 
/**
 * The versions `AZCONN_ENCRYPTION_KEYS` lists, oldest first.
 */
keyVersions: Array<number>, 
/**
 * How many sealed values each key version holds (a version holding none is absent).
 */
byVersion: { [key in number]: number }, 
/**
 * Values under an older listed version: what the sweep still has to re-seal.
 */
remaining: number, 
/**
 * Versions holding values but not listed: those values cannot be decrypted until the key
 * is listed again.
 */
missingVersions: Array<number>, 
/**
 * Older listed versions holding nothing: safe to remove from the keyring.
 */
unusedVersions: Array<number>, };

/**
 * The error envelope of every failed API call (and of the sign-in error page's embedded JSON).
 */
export type ErrorBody = { error: FieldError, errors?: Array<FieldError>, dependents?: Array<Dependent>, deleted?: Array<Dependent>, requestId?: string, };

/**
 * `GET /health`.
 */
export type Health = { ok: boolean, };

/**
 * Infisical's name for a sync's `mode` and its values (round2.md, secret sync options): the
 * same setting under another name, accepted on create and PATCH and shown beside `mode`.
 */
export type InitialSyncBehavior = "overwrite-destination" | "import-prioritize-source" | "import-prioritize-destination";

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/**
 * What deleting a sync does with the keys it owns in the store.
 */
export type KeysChoice = "remove" | "keep";

/**
 * `GET /secret-rotations/azure-client-secret/leftover-secrets/{id}`: the leftover and the
 * secrets of it that the app still has (read from Graph now).
 */
export type LeftoverBody = { leftover: LeftoverView, secrets: Array<LeftoverSecret>, };

/**
 * `DELETE /secret-rotations/azure-client-secret/leftover-secrets/{id}`.
 */
export type LeftoverDeleted = { leftover: LeftoverView, secrets: SecretsChoice, 
/**
 * The key ids removed from the app (empty when forgotten with `keep`).
 */
revoked: Array<string>, };

/**
 * `GET /secret-rotations/azure-client-secret/leftover-secrets`, newest first.
 */
export type LeftoverList = { leftovers: Array<LeftoverView>, };

/**
 * One secret a deleted rotation left on the app, as Graph lists it (never its value).
 */
export type LeftoverSecret = { keyId: string, hint: string | null, 
/**
 * Unix seconds.
 */
expiresAt: number | null, };

/**
 * A rotation deleted with `secrets=keep`: the secrets its runs created may still be on the
 * app (their display names end with `for <id>`).
 */
export type LeftoverView = { 
/**
 * The deleted rotation's id.
 */
id: string, name: string, 
/**
 * The connection that reaches the app (deleting it forgets the leftover).
 */
connectionId: string, target: RotationTarget | null, deletedAt: number, };

/**
 * Whether a method can be used in this deployment, and why not.
 */
export type MethodOption = { method: Method, available: boolean, reason?: FieldError, };

/**
 * A new API token: the value is shown once, only its hash is stored.
 */
export type NewToken = { id: string, name: string, value: string, };

/**
 * `POST /app-connections/{type}/oauth/start` (the cookie goes in a header).
 */
export type OAuthStarted = { url: string, redirectUri: string, expiresIn: number, };

export type OpKind = "put" | "delete";

/**
 * A planned or applied write of a sync run, by key only (never a value).
 */
export type OpSummary = { op: OpKind, key: string, label: string | null, };

export type Organization = { id: string, name: string, };

/**
 * `POST /organizations`.
 */
export type OrganizationCreated = { organization: Organization, token: NewToken, };

/**
 * What a run would do, before anything is written (full keys).
 */
export type Preview = { create: Array<string>, update: Array<string>, delete: Array<string>, unchanged: Array<string>, skipped: Array<Skipped>, imported: Array<string>, 
/**
 * Desired keys this sync does not own, left alone unless the run adopts them.
 */
conflicts: Array<Conflict>, 
/**
 * The `confirmDeletes` the run needs (it deletes more keys than it keeps), if any.
 */
confirmDeletes: number | null, 
/**
 * Given back as the run's `fingerprint`, it refuses the run if the store changed since.
 */
fingerprint: string, };

/**
 * `POST .../{id}/run` with `dryRun: true`.
 */
export type PreviewBody = { preview: Preview, };

/**
 * `POST /encryption/reseal`: one batch of the sweep, then the status.
 */
export type ResealAnswer = { 
/**
 * Values moved to the current version by this call.
 */
resealed: number, 
/**
 * Values read but replaced or deleted by another writer before this call wrote (left as
 * that writer stored them).
 */
changed: number, failed: Array<ResealFailure>, 
/**
 * The version new values are sealed with: the newest listed.
 */
currentVersion: number, 
/**
 * The versions `AZCONN_ENCRYPTION_KEYS` lists, oldest first.
 */
keyVersions: Array<number>, 
/**
 * How many sealed values each key version holds (a version holding none is absent).
 */
byVersion: { [key in number]: number }, 
/**
 * Values under an older listed version: what the sweep still has to re-seal.
 */
remaining: number, 
/**
 * Versions holding values but not listed: those values cannot be decrypted until the key
 * is listed again.
 */
missingVersions: Array<number>, 
/**
 * Older listed versions holding nothing: safe to remove from the keyring.
 */
unusedVersions: Array<number>, };

/**
 * A value the sweep could not open under its listed version (never its content).
 */
export type ResealFailure = { ownerId: string, field: string, keyVersion: number, error: FieldError, };

/**
 * The UTC time of day a scheduled rotation runs at (Infisical's `rotateAtUtc`).
 */
export type RotateAtUtc = { 
/**
 * 0–23.
 */
hours: number, 
/**
 * 0–59.
 */
minutes: number, };

/**
 * `POST /secret-rotations/azure-client-secret/{id}/rotate`.
 */
export type Rotated = { rotation: RotationView | null, secret: SecretBody | null, 
/**
 * The previous secrets removed, once the run is done.
 */
removed?: Array<string>, steps: Array<StepTaken>, };

/**
 * `{rotation}`: create, get.
 */
export type RotationBody = { rotation: RotationView, };

/**
 * `DELETE /secret-rotations/azure-client-secret/{id}`.
 */
export type RotationDeleted = { rotation: RotationView, secrets: SecretsChoice, 
/**
 * The key ids removed from the app (empty when kept).
 */
revoked: Array<string>, };

/**
 * `GET /secret-rotations/azure-client-secret`.
 */
export type RotationList = { rotations: Array<RotationView>, };

/**
 * `PATCH /secret-rotations/azure-client-secret/{id}`: the schedule to change, at the version
 * the caller read.
 */
export type RotationPatch = { version: number, name?: string, 
/**
 * `Some("")` removes the description.
 */
description?: string, lifetimeDays?: number, intervalDays?: number, keepPrevious?: number, isAutoRotationEnabled?: boolean, rotateAtUtc?: RotateAtUtc, };

/**
 * `POST /secret-rotations/azure-client-secret`.
 */
export type RotationRequest = { 
/**
 * Absent: derived from the app's display name.
 */
name?: string, description?: string, connectionId?: string, appId?: string, objectId?: string, lifetimeDays?: number, intervalDays?: number, keepPrevious?: number, 
/**
 * Default `true`.
 */
isAutoRotationEnabled?: boolean, 
/**
 * Default `{hours: 0, minutes: 0}`.
 */
rotateAtUtc?: RotateAtUtc, };

/**
 * Where a rotation schedule stands.
 */
export type RotationStatus = "pending" | "running" | "active" | "waiting" | "interrupted" | "failed";

/**
 * The app whose secret a rotation rotates.
 */
export type RotationTarget = { appId: string, objectId: string, displayName: string | null, };

/**
 * A rotation as the API shows it (its secret only through `rotate`, once, and `secret`).
 */
export type RotationView = { id: string, name: string, description: string | null, connectionId: string, target: RotationTarget | null, lifetimeDays: number, intervalDays: number, keepPrevious: number, status: RotationStatus, lastError: FieldError | null, current: CurrentKey, 
/**
 * Whether the Cron Trigger runs it; off, only `rotate` does.
 */
isAutoRotationEnabled: boolean, rotateAtUtc: RotateAtUtc, 
/**
 * `null` while auto rotation is off.
 */
nextRotationAt: number | null, 
/**
 * When a run last started; when one last finished with a new secret.
 */
lastAttemptAt: number | null, lastSuccessAt: number | null, step: string | null, version: number, createdAt: number, updatedAt: number, };

/**
 * `POST .../{id}/run`: the preview of a dry run, or the sync with the run just made.
 */
export type RunAnswer = PreviewBody | SyncBody;

/**
 * `POST /secret-syncs/azure-app-configuration/{id}/run`: the secrets stay JSON until each is
 * checked by name (`secrets.NAME`).
 */
export type RunRequest = { secrets?: { [key in string]: JsonValue }, dryRun?: boolean, 
/**
 * Full keys the run takes over although this sync does not own them.
 */
adopt?: Array<string>, 
/**
 * The number of deletions confirmed, for a run that deletes more keys than it keeps.
 */
confirmDeletes?: number, 
/**
 * A preview's fingerprint: the run applies only to the store as that preview saw it.
 */
fingerprint?: string, };

/**
 * How a sync run ended, as `lastRun.result` shows it.
 */
export type RunResult = { applied: Array<OpSummary>, skipped: Array<Skipped>, imported: Array<string>, conflicts: Array<Conflict>, } | { error: FieldError, applied: Array<OpSummary> | null, };

/**
 * How a sync run ended (or that it has not yet).
 */
export type RunStatus = "running" | "succeeded" | "failed";

/**
 * A sync run as its row records it (keys only, never values).
 */
export type RunView = { id: string, startedAt: number, finishedAt: number | null, status: RunStatus, plan: Array<OpSummary> | null, result: RunResult | null, };

/**
 * The rotated secret: its value only to the caller that rotated, or through `.../secret`.
 */
export type SecretBody = { keyId: string | null, value: string, expiresAt: number | null, };

/**
 * What deleting a rotation does with the secrets it created on the target app.
 */
export type SecretsChoice = "revoke" | "keep";

/**
 * `POST /sessions`.
 */
export type SessionCreated = { organizationId: string, };

/**
 * `GET /session`.
 */
export type SessionView = { organizationId: string, organizationName: string | null, };

/**
 * `DELETE /sessions`.
 */
export type SignedOut = { signedOut: boolean, };

/**
 * A key a sync left alone, and why.
 */
export type Skipped = { key: string, reason: SkipReason, };

/**
 * One step a rotation run took.
 */
export type StepTaken = { step: string, 
/**
 * Unix milliseconds.
 */
at: number, ok: boolean, 
/**
 * How long a `wait` step waits.
 */
ms?: number, };

/**
 * `{sync}`: create, get, run.
 */
export type SyncBody = { sync: SyncView, };

/**
 * `DELETE /secret-syncs/azure-app-configuration/{id}`.
 */
export type SyncDeleted = { sync: SyncView, keys: KeysChoice, 
/**
 * The keys deleted from the store (empty when kept).
 */
removed: Array<string>, skipped: Array<Skipped>, };

/**
 * `GET /secret-syncs/azure-app-configuration`.
 */
export type SyncList = { syncs: Array<SyncView>, };

/**
 * `PATCH /secret-syncs/azure-app-configuration/{id}`: the settings to change, at the version
 * the caller read (required: a write based on stale settings is a 409, never a silent merge).
 */
export type SyncPatch = { version: number, name?: string, 
/**
 * `Some("")` removes the description.
 */
description?: string, 
/**
 * `Some("")` removes the label.
 */
label?: string, 
/**
 * Changes the prefix only (a suffix from `keySchema` stays).
 */
keyPrefix?: string, keySchema?: string, 
/**
 * Or set by `initialSyncBehavior`.
 */
mode?: SyncMode, 
/**
 * Infisical's name for `mode` (its values in the same order); beside `mode` only when both
 * say the same. Parsing folds it into `mode`, which is what the use-case reads.
 */
initialSyncBehavior?: InitialSyncBehavior, disableSecretDeletion?: boolean, };

/**
 * `POST /secret-syncs/azure-app-configuration`.
 */
export type SyncRequest = { 
/**
 * Absent: derived from the store, label and prefix.
 */
name?: string, description?: string, connectionId?: string, endpoint?: string, label?: string, keyPrefix?: string, 
/**
 * Infisical's `{prefix}{{secretKey}}{suffix}`, instead of `keyPrefix`.
 */
keySchema?: string, 
/**
 * Default `overwrite`; or set by `initialSyncBehavior`.
 */
mode?: SyncMode, 
/**
 * Infisical's name for `mode` (its values in the same order); beside `mode` only when both
 * say the same. Parsing folds it into `mode`, which is what the use-case reads.
 */
initialSyncBehavior?: InitialSyncBehavior, disableSecretDeletion?: boolean, };

export type SyncView = { id: string, name: string, description: string | null, connectionId: string, endpoint: string, label: string | null, keyPrefix: string, 
/**
 * Infisical's name for the key shape: `{keyPrefix}{{secretKey}}{suffix}`.
 */
keySchema: string, mode: SyncMode, 
/**
 * `mode` under Infisical's name, so a client that wrote either reads it back.
 */
initialSyncBehavior: InitialSyncBehavior, disableSecretDeletion: boolean, version: number, createdAt: number, updatedAt: number, 
/**
 * When the latest run started; when the latest successful one finished; the latest run's
 * error if it failed (`null` once a run succeeds; boxed: most views have none).
 */
lastAttemptAt: number | null, lastSuccessAt: number | null, lastError: FieldError | null, lastRun: RunView | null, };

/**
 * `POST /organizations/{id}/tokens`.
 */
export type TokenCreated = { token: NewToken, };

/**
 * `GET /organizations/{id}/tokens`.
 */
export type TokenList = { tokens: Array<TokenView>, };

export type TokenRef = { id: string, name: string, };

/**
 * `DELETE /organizations/{id}/tokens/{tokenId}`.
 */
export type TokenRevoked = { token: TokenRef, };

export type TokenType = "Bearer";

export type TokenView = { id: string, name: string, createdAt: number, lastUsedAt: number | null, };

export type TypeOptions = { type: ConnectionType, redirectUri: string, methods: Array<MethodOption>, };

/**
 * `POST /app-connections/{type}/{id}/validate`.
 */
export type Validation = { valid: boolean, error: FieldError | null, appConnection: ConnectionView, };

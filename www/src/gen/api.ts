// Generated from host/src/api.rs by `make types` (host/src/api_types.rs): do not edit.

/**
 * `POST /app-connections/{type}/{id}/token`.
 */
export type AccessTokenBody = { accessToken: string, expiresAt: number, tokenType: TokenType, };

/**
 * An app registration (only the properties azconn reads).
 */
export type Application = { id: ObjectId, appId: ClientId, displayName: string | null, 
/**
 * Present when selected.
 */
passwordCredentials: Array<PasswordCredential> | null, keyCredentials: Array<KeyCredential> | null, };

/**
 * One row of `audit_log`; `detail` is the JSON text it was recorded with.
 */
export type AuditEntry = { id: number, at: number, actor: string, action: string, target: string | null, outcome: string, detail: string | null, };

/**
 * `GET /audit-log`.
 */
export type AuditLog = { entries: Array<AuditEntry>, };

/**
 * The Application (client) ID of an app registration (`appId` in Graph).
 */
export type ClientId = string;

/**
 * `GET /app-connections/azure-client-secrets/{id}/clients`.
 */
export type Clients = { clients: Array<Application>, nextLink: string | null, };

/**
 * A named public cloud, or a custom one. Deserializes from a name (`"us-government"`) or the
 * tagged form (`{"kind":"custom",...}`); a custom cloud always goes through [`Cloud::custom`],
 * so JSON cannot smuggle in an `http` endpoint on a non-loopback host.
 */
export type Cloud = { "kind": "global" } | { "kind": "us-government" } | { "kind": "china" } | { "kind": "custom" } & CloudEndpoints;

/**
 * Every endpoint azconn needs in one cloud.
 */
export type CloudEndpoints = { 
/**
 * Entra ID authority host, e.g. `https://login.microsoftonline.com`.
 */
authorityHost: Origin, 
/**
 * Graph root; API calls go to `{graph_root}/v1.0/...`.
 */
graphRoot: Origin, 
/**
 * The resource Graph tokens are issued for (`{graph_audience}/.default`).
 */
graphAudience: string, 
/**
 * Azure Resource Manager host.
 */
armHost: Origin, 
/**
 * Hosts that are App Configuration stores.
 */
appConfigurationHosts: Array<HostPattern>, 
/**
 * The Entra audience of App Configuration data-plane tokens (scope = audience + `/.default`).
 */
appConfigurationAudience: string, };

/**
 * Stable error codes. The UI and API clients branch on these; never rename one.
 */
export type Code = "required" | "too-long" | "too-short" | "invalid-format" | "invalid-character" | "not-allowed" | "insecure-url" | "host-not-allowed" | "secret-looks-like-id" | "out-of-range" | "state-mismatch" | "missing-code" | "authorization-failed" | "token-request-failed" | "malformed-response" | "malformed-jwt" | "reauth-required" | "consent-required" | "retry-later" | "permission-denied" | "not-found" | "lifetime-rejected" | "throttled" | "unavailable" | "unauthorized" | "key-locked" | "precondition-failed" | "invalid-argument" | "azure-error" | "rotation-failed" | "wrong-field" | "key-cert-mismatch" | "certificate-expired" | "certificate-not-yet-valid" | "certificate-expiring-soon" | "weak-key" | "unsupported-key-type" | "unsupported-algorithm" | "wrong-password" | "not-configured" | "unauthenticated" | "cross-origin" | "conflict" | "internal" | "rate-limited";

/**
 * A desired key the plan leaves alone because this sync does not own it.
 */
export type Conflict = { key: string, reason: ConflictReason, 
/**
 * The owning sync's id, for [`ConflictReason::OtherSync`].
 */
owner: string | null, };

/**
 * Who holds a desired key that this sync does not own.
 */
export type ConflictReason = "unmanaged" | "unowned" | "otherSync";

/**
 * `{appConnection}`: get, create, update, delete.
 */
export type ConnectionBody = { appConnection: ConnectionView, };

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
 * What a connection talks to.
 */
export type ConnectionType = "azure-client-secrets" | "azure-app-configuration";

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
 * The error envelope of every failed API call (and of the sign-in error page's embedded JSON).
 */
export type ErrorBody = { error: FieldError, errors?: Array<FieldError>, dependents?: Array<Dependent>, requestId?: string, };

/**
 * A typed error: what went wrong, where, and what to do about it.
 */
export type FieldError = { code: Code, field?: string, message: string, hint?: string, };

/**
 * `GET /health`.
 */
export type Health = { ok: boolean, };

/**
 * A host pattern for App Configuration stores: `*.azconfig.io` matches `<store>.azconfig.io`
 * (label-boundary, at least one label before the suffix); a plain `host[:port]` matches only
 * itself (for loopback emulators and proxies).
 */
export type HostPattern = string;

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/**
 * A certificate credential's metadata (graph-docs `resources/keycredential.md`).
 */
export type KeyCredential = { keyId: KeyId, displayName: string | null, 
/**
 * `AsymmetricX509Cert`, ...
 */
kind: string | null, 
/**
 * `Verify` or `Sign`.
 */
usage: string | null, 
/**
 * base64 of the certificate thumbprint, as Graph gives it.
 */
customKeyIdentifier: string | null, startsAt: number | null, endsAt: number | null, };

/**
 * The `keyId` of a password or key credential.
 */
export type KeyId = string;

/**
 * How a connection authenticates.
 */
export type Method = "oauth" | "client-secret" | "certificate";

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

/**
 * The Object ID of an application object in Graph (`id`), not its `appId`.
 */
export type ObjectId = string;

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
 * `scheme://host[:port]`, host lower-cased, default port dropped.
 */
export type Origin = string;

/**
 * A client secret's metadata (graph-docs `resources/passwordcredential.md`); never its value.
 */
export type PasswordCredential = { keyId: KeyId, displayName: string | null, 
/**
 * The first three characters of the secret.
 */
hint: string | null, 
/**
 * Unix seconds.
 */
startsAt: number | null, endsAt: number | null, };

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
confirmDeletes: number | null, };

/**
 * `POST .../{id}/run` with `dryRun: true`.
 */
export type PreviewBody = { preview: Preview, };

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
 * `GET /secret-rotations/azure-client-secret`.
 */
export type RotationList = { rotations: Array<RotationView>, };

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
export type RotationView = { id: string, connectionId: string, target: RotationTarget | null, lifetimeDays: number, intervalDays: number, keepPrevious: number, status: RotationStatus, lastError: FieldError | null, current: CurrentKey, nextRotationAt: number | null, step: string | null, version: number, createdAt: number, updatedAt: number, };

/**
 * `POST .../{id}/run`: the preview of a dry run, or the sync with the run just made.
 */
export type RunAnswer = PreviewBody | SyncBody;

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
 * Why a key was left alone.
 */
export type SkipReason = "locked" | "featureFlag";

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
 * `GET /secret-syncs/azure-app-configuration`.
 */
export type SyncList = { syncs: Array<SyncView>, };

/**
 * Who wins when the store and the source disagree.
 */
export type SyncMode = "overwrite" | "importPreferSource" | "importPreferDestination";

export type SyncView = { id: string, connectionId: string, endpoint: string, label: string | null, keyPrefix: string, mode: SyncMode, disableSecretDeletion: boolean, version: number, createdAt: number, updatedAt: number, lastRun: RunView | null, };

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

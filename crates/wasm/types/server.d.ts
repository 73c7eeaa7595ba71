// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * The `addPassword` result.
 */
export type AddedPassword = { credential: PasswordCredential, secret: SecretText, };

/**
 * An `application/problem+json` error (`type`, `title`, `name`, `detail`, `status`) with the
 * retry and challenge headers that matter.
 */
export type AppConfigError = { status: number, kind: AppConfigErrorKind, type: string | null, title: string | null, name: string | null, detail: string | null, retryAfterMs: number | null, wwwAuthenticate: string | null, };

/**
 * What an App Configuration error means.
 */
export type AppConfigErrorKind = "invalidArgument" | "keyLocked" | "preconditionFailed" | "tooManyRequests" | "notFound" | "unauthorized" | "forbidden" | "unavailable" | "other";

/**
 * `$filter` forms azconn uses on `GET /applications`; neither needs `ConsistencyLevel`.
 */
export type AppFilter = { "appId": ClientId } | { "displayNameStartsWith": string };

/**
 * `GET /applications` options. `id` and `appId` are always selected: every parsed
 * [`Application`] needs them.
 */
export type AppQuery = { select?: Array<string>, top?: number | null, filter?: AppFilter | null, };

/**
 * An application addressed by its object id (`/applications/{id}`) or its client id
 * (`/applications(appId='{appId}')`): rotation works from either.
 */
export type AppRef = { "objectId": ObjectId } | { "appId": ClientId };

/**
 * An app registration (only the properties azconn reads).
 */
export type Application = { id: ObjectId, appId: ClientId, displayName: string | null, 
/**
 * Present when selected.
 */
passwordCredentials: Array<PasswordCredential> | null, keyCredentials: Array<KeyCredential> | null, };

/**
 * The Application (client) ID of an app registration (`appId` in Graph).
 */
export type ClientId = string;

/**
 * A write precondition (azure-docs `rest-api-key-value.md`, conditional writes).
 */
export type Condition = "none" | { "ifMatch": string } | "ifMatchAny" | "ifNoneMatchAny";

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
 * A desired secret value.
 */
export type DesiredValue = { "kind": "plain", value: string, contentType?: string | null, } | { "kind": "keyVaultRef", uri: string, };

/**
 * The permissions a token carries: `roles` for app-only tokens, `scp` (space-separated in the
 * JWT, given here as a list) for delegated ones.
 */
export type Granted = { "kind": "application", roles: Array<string>, } | { "kind": "delegated", scopes: Array<string>, };

/**
 * A parsed Graph error (OData v4: `error.code`, nested `innerError`s, `details`).
 */
export type GraphError = { status: number, kind: GraphErrorKind, 
/**
 * `error.code`; empty when the body was not a Graph error.
 */
code: string, message: string, 
/**
 * Codes of the nested `innerError`s, outermost first.
 */
innerCodes: Array<string>, details: Array<GraphErrorDetail>, requestId: string | null, date: string | null, };

/**
 * One entry of the Graph error's `details`.
 */
export type GraphErrorDetail = { code: string | null, target: string | null, message: string | null, };

/**
 * What a Graph error means for the caller.
 */
export type GraphErrorKind = "permissionDenied" | "notFound" | "lifetimePolicy" | "concurrencyConflict" | "throttled" | "unavailable" | "unauthorized" | "other";

/**
 * The tenant (`GET /organization`).
 */
export type GraphOrganization = { id: string, displayName: string | null, defaultDomain: string | null, };

/**
 * The signed-in user (`GET /me`).
 */
export type GraphUser = { id: string, displayName: string | null, userPrincipalName: string | null, mail: string | null, };

/**
 * A store value brought back into the source (import modes).
 */
export type Imported = { value: string, contentType: string | null, };

/**
 * A key name: any Unicode except `%`, and not `.` or `..` (azure-docs `concept-key-value.md`).
 */
export type Key = string;

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
 * Key filter of a list request.
 */
export type KeyFilter = "all" | { "exact": string } | { "prefix": string } | { "anyOf": Array<string> };

/**
 * The `keyId` of a password or key credential.
 */
export type KeyId = string;

/**
 * A key-value as App Configuration returns it (field names as Azure spells them).
 */
export type KeyValue = { key: string, label: string | null, value: string | null, content_type: string | null, etag: string | null, last_modified: string | null, locked: boolean | null, 
/**
 * Tags with a null value are dropped.
 */
tags: { [key in string]: string }, };

/**
 * One page of a list.
 */
export type KvPage = { items: Array<KeyValue>, 
/**
 * Absolute, on the store's origin.
 */
nextLink: string | null, };

/**
 * What a PUT writes.
 */
export type KvWrite = { value?: string, contentType?: string | null, tags?: { [key in string]: string }, };

/**
 * A label: the null label (JSON `null`) or a named one.
 */
export type Label = string | null;

/**
 * Label filter of a list request.
 */
export type LabelFilter = "all" | { "exact": Label } | { "prefix": string } | { "anyOf": Array<Label> };

/**
 * Options of `GET /kv`.
 */
export type ListQuery = { key: KeyFilter, label: LabelFilter, 
/**
 * `$select` fields (`key`, `label`, `value`, `content_type`, `etag`, `tags`, `locked`,
 * `last_modified`); empty means all.
 */
select?: Array<string>, };

/**
 * The Object ID of an application object in Graph (`id`), not its `appId`.
 */
export type ObjectId = string;

/**
 * One page of `GET /applications`.
 */
export type Page<T> = { items: Array<T>, 
/**
 * `@odata.nextLink`, already checked to stay on the Graph origin.
 */
nextLink: string | null, };

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
 * What `addPassword` is asked to create.
 */
export type PasswordSpec = { displayName: string, 
/**
 * Unix seconds; omitted means "now" on Graph's clock.
 */
startsAt?: number | null, 
/**
 * Unix seconds; always sent.
 */
endsAt: number, };

/**
 * Can this token rotate the target app's secrets? Decided before trying (infisical.md §13.13).
 */
export type Preflight = { "verdict": "allowed", via: string, } | { "verdict": "needsOwnershipCheck" } | { "verdict": "denied", grant: string, hint: string, };

/**
 * The decision after one attempt.
 */
export type RetryDecision = { "decision": "retry", afterMs: number, } | { "decision": "stop" } & RetryStop;

/**
 * Limits of the retry loop.
 */
export type RetryPolicy = { 
/**
 * Attempts in total, the first included.
 */
maxAttempts?: number, 
/**
 * The first backoff; doubles per attempt.
 */
baseDelayMs?: number, 
/**
 * Cap of one computed backoff.
 */
maxDelayMs?: number, 
/**
 * Total time from the first attempt after which no retry is started; a server-advertised
 * delay that would end past it stops the loop too.
 */
budgetMs?: number, };

/**
 * Why the loop ends.
 */
export type RetryStop = { "reason": "success" } | { "reason": "notRetryable", status: number, } | { "reason": "attemptsExhausted" } | { "reason": "budgetExhausted" };

/**
 * A newly created secret's value (`secretText`, returned only by `addPassword`). Serializable
 * because rotation state must carry it until it is published; the host encrypts that state.
 */
export type SecretText = string;

/**
 * Why a key was left alone.
 */
export type SkipReason = "locked" | "featureFlag";

/**
 * Who wins when the store and the source disagree.
 */
export type SyncMode = "overwrite" | "importPreferSource" | "importPreferDestination";

/**
 * One write of the plan.
 */
export type SyncOp = { "op": "put", key: Key, label: Label, write: KvWrite, condition: Condition, } | { "op": "delete", key: Key, label: Label, condition: Condition, };

/**
 * The plan: writes to execute in order, values to import, keys deliberately left alone.
 */
export type SyncPlan = { ops: Array<SyncOp>, 
/**
 * By secret name (without the prefix).
 */
imports: { [key in string]: Imported }, skipped: Array<[string, SkipReason]>, 
/**
 * Desired keys held by someone else, left alone.
 */
conflicts: Array<Conflict>, 
/**
 * Keys this sync owns after the plan is applied (written or already in place).
 */
kept: number, };

/**
 * Where and how to sync.
 */
export type SyncSpec = { 
/**
 * Prepended to every secret name (e.g. `app:`); may be empty.
 */
prefix?: string, 
/**
 * Appended to every secret name (e.g. `/v1`); may be empty.
 */
suffix?: string, label: Label, mode: SyncMode, 
/**
 * `false` is "never delete".
 */
deleteMissing?: boolean, 
/**
 * The sync's id: written as the [`OWNER_TAG`] of every key it writes; only keys carrying
 * it are updated or deleted.
 */
owner: string, 
/**
 * Full keys (prefix included) this run may take over although it does not own them: each
 * must be one of the desired keys.
 */
adopt?: Array<string>, };

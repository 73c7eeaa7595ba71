// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * A bearer access token. azconn never validates it: it is meant for Graph or App Configuration.
 */
export type AccessToken = string;

/**
 * A successful admin-consent redirect (entra-docs `v2-admin-consent.md`).
 */
export type AdminConsent = { 
/**
 * The tenant Entra reports. Display only: Microsoft says never to trust it for
 * authorization; the connection keeps the tenant the user configured.
 */
reportedTenant: string | null, scopes: Array<string>, };

/**
 * An error body from the token or authorize endpoint, as Entra spells it.
 */
export type EntraError = { 
/**
 * HTTP status (0 for errors delivered on the authorize callback).
 */
status: number, error: string, errorDescription: string | null, 
/**
 * AADSTS numbers; the first is the primary one.
 */
errorCodes: Array<number>, timestamp: string | null, traceId: string | null, correlationId: string | null, errorUri: string | null, 
/**
 * `Retry-After` in seconds, when the response carried one.
 */
retryAfter: number | null, };

/**
 * What the caller should do about an error.
 */
export type ErrorClass = "invalid-client" | "reauth-required" | "consent-required" | "interaction-required" | "misconfigured" | "retry-later" | "other";

/**
 * The HTTP methods azconn's requests use.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A request to execute, exactly as it must go on the wire.
 */
export type HttpRequest = { method: HttpMethod, url: string, 
/**
 * Header names in lower case, in the order they must be sent.
 */
headers: Array<[string, string]>, body: string, };

/**
 * An OIDC id_token as received (not validated here).
 */
export type IdToken = string;

/**
 * A refresh token. Entra does not revoke it on use: store the new one each time.
 */
export type RefreshToken = string;

/**
 * A parsed successful token response. `Debug` redacts every token.
 */
export type TokenResponse = { tokenType: "Bearer", accessToken: AccessToken, refreshToken?: RefreshToken, idToken?: IdToken, 
/**
 * Granted scopes; empty when Entra omitted `scope` ("the token is for the scopes requested").
 */
scopes: Array<string>, expiresIn: number, extExpiresIn?: number, 
/**
 * `now + expires_in`, unix seconds.
 */
expiresAt: number, };

/**
 * Claims of interest for display, as the token states them (unverified).
 */
export type UnverifiedClaims = { 
/**
 * Tenant ID.
 */
tid: string | null, 
/**
 * Object ID of the user or service principal.
 */
oid: string | null, 
/**
 * `upn`, else `preferred_username`, else `unique_name`.
 */
username: string | null, 
/**
 * The client app: `appid` (v1 tokens) or `azp` (v2).
 */
appId: string | null, aud: string | null, 
/**
 * Delegated scopes (`scp`, space-separated in the token).
 */
scopes: Array<string>, 
/**
 * App roles (`roles`).
 */
roles: Array<string>, exp: number | null, iat: number | null, };

// Compiled with tsc --strict --noEmit (make test-wasm): every export of the package, called
// with its real shapes against the types generated from Rust (gen/*/azconn.d.ts). It imports
// the package by its own name.
import {
  AzconnError, tenantId, authorityTenant, clientId, checkClientSecret, cloudEndpoints, validateForm,
  scopes, pkceChallenge, pkceFromEntropy, authorizeRequest, adminConsentRequest, parseCallback,
  parseAdminConsentCallback, tokenRequest, parseTokenResponse, parseErrorResponse,
  decodeJwtUnverified, hmacSha256, inspectCertificate, Credential, completeAssertion,
  graphListApplications, graphNextPage, graphGetApplication, graphGetCredentials, graphAddPassword,
  graphRemovePassword, graphListOwners, graphMe, graphOrganization, graphParseApplicationPage,
  graphParseApplication, graphParseAddedPassword, graphParseRemovedPassword, graphParseOwners, graphParseMe,
  graphParseOrganization, graphParseError, graphPreflight, appConfigGet, appConfigList, appConfigNextPage,
  appConfigPut, appConfigDelete, appConfigParseList, appConfigParseGet, appConfigParsePut, appConfigParseDelete,
  appConfigParseError, appConfigSyncTokens, appConfigAuthorize, appConfigSign, retryDecide, SyncPlanner,
  rotationStart, rotationNext, rotationOnResponse, rotationOnVerified, rotationOnPublished,
} from 'azconn';
import type {
  CloudEndpoints, FormValidation, Scopes, Pkce, AuthorizeRequest, AdminConsentRequest, AdminConsent,
  HttpRequest, TokenResponse, EntraErrorReport, UnverifiedClaims, CloudInput, FieldError, ConnectionType,
  Method, ErrorClass, CertificateReport, UnsignedAssertion, AssertionParams, Application, Page, AddedPassword,
  KeyValue, KvPage, GraphError, AppConfigError, Preflight, RetryDecision, SyncPlan, RotationState, RotationNext,
  RotationStep, GraphUser, GraphOrganization,
} from 'azconn';
import * as browser from 'azconn/browser';
import * as forms from 'azconn/forms';

const t: string = tenantId('contoso.onmicrosoft.com') + authorityTenant('organizations') + clientId('00000000-0000-0000-0000-000000000000');
checkClientSecret('Xy8Q~a.b_c+d/e=f');
const custom: CloudInput = {
  kind: 'custom',
  authorityHost: 'http://127.0.0.1:4010',
  graphRoot: 'http://127.0.0.1:4010',
  graphAudience: 'https://graph.microsoft.com',
  armHost: 'http://127.0.0.1:4010',
  appConfigurationHosts: ['127.0.0.1:4011'],
  appConfigurationAudience: 'https://appconfig.azure.com',
};
const endpoints: CloudEndpoints = cloudEndpoints(custom);
const named: string[] = cloudEndpoints('china').appConfigurationHosts.concat(cloudEndpoints(undefined).graphRoot);

const form: FormValidation = validateForm({ name: 'prod', connectionType: 'azure-client-secrets', method: 'oauth', cloud: 'global' });
if (form.valid) {
  const type: ConnectionType = form.connection.connectionType;
  const method: Method = form.connection.method;
  const client: string | null = form.connection.clientId;
  console.log(type, method, client);
} else {
  const errors: FieldError[] = form.errors;
  for (const e of errors) console.log(e.field, e.code, e.message, e.hint);
}
const s: Scopes = scopes({ connectionType: 'azure-app-configuration', cloud: 'us-government', appConfigurationAudience: 'cloud' });
const p: Pkce = pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
const q: Pkce = pkceFromEntropy(crypto.getRandomValues(new Uint8Array(32)));
const req: AuthorizeRequest = authorizeRequest({
  clientId: '00000000-0000-0000-0000-000000000000',
  redirectUri: 'https://app.example/callback',
  connectionType: 'azure-app-configuration',
  cloud: 'us-government',
  prompt: 'select_account',
  entropy: { verifier: new Uint8Array(32), state: new Uint8Array(16), nonce: new Uint8Array(16) },
});
const consent: AdminConsentRequest = adminConsentRequest({
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '00000000-0000-0000-0000-000000000000',
  redirectUri: 'https://app.example/callback',
  connectionType: 'azure-client-secrets',
});
const code: string = parseCallback(location.search, req.state);
const granted: AdminConsent = parseAdminConsentCallback(location.search, consent.state);
const redeem: HttpRequest = tokenRequest({
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '00000000-0000-0000-0000-000000000000',
  clientSecret: 'Xy8Q~a.b_c+d/e=f',
  grant: { type: 'authorization_code', code, redirectUri: req.redirectUri, codeVerifier: req.codeVerifier, scopes: req.scopes },
});
async function redeemCode(): Promise<TokenResponse> {
  const res = await fetch(redeem.url, { method: redeem.method, headers: redeem.headers, body: redeem.body });
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) {
    const report: EntraErrorReport = parseErrorResponse(res.status, res.headers, body);
    const cls: ErrorClass = report.class;
    const retryAfter: number | null = report.entra.retryAfter;
    throw new AzconnError(report.boundary.code, report.boundary.message, report.boundary.field, `${cls} ${retryAfter}`);
  }
  return parseTokenResponse(res.status, res.headers, body, Math.floor(Date.now() / 1000));
}
async function redeemAsText(): Promise<TokenResponse> {
  const res = await fetch(redeem.url, { method: redeem.method, headers: redeem.headers, body: redeem.body });
  return parseTokenResponse(res.status, res.headers, await res.text(), Math.floor(Date.now() / 1000));
}
void redeemAsText();
void redeemCode().then((token) => {
  const claims: UnverifiedClaims = decodeJwtUnverified(token.accessToken);
  const refresh: string | undefined = token.refreshToken;
  const list = graphListApplications({ token: token.accessToken, query: { top: 5, filter: { displayNameStartsWith: 'billing' } } });
  const headers: [string, string][] = list.headers;
  console.log(claims.tid, claims.roles, refresh, headers);
  return fetch(list.url, { headers: list.headers });
}).then(async (res) => {
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) {
    const e: GraphError = graphParseError(res.status, res.headers, body);
    throw new Error(`${e.kind} ${e.code} ${e.requestId}`);
  }
  const page: Page<Application> = graphParseApplicationPage(res.status, res.headers, body, 'global');
  const app: Application | undefined = page.items[0];
  if (app) {
    const ref = { objectId: app.id };
    const token = 'eyJ0.eyJ1.sig';
    const requests: HttpRequest[] = [
      graphNextPage({ token, nextLink: page.nextLink ?? '' }),
      graphGetApplication({ token, app: ref, select: ['displayName'] }),
      graphGetCredentials({ token, app: { appId: app.appId } }),
      graphAddPassword({ token, app: ref, spec: { displayName: 'azconn', endsAt: 1_900_000_000 } }),
      graphRemovePassword({ token, app: ref, keyId: app.passwordCredentials?.[0]?.keyId ?? '' }),
      graphListOwners({ token, app: ref }),
      graphMe({ token, cloud: 'china' }),
      graphOrganization({ token }),
    ];
    const added: AddedPassword = graphParseAddedPassword(200, [], body);
    const one: Application = graphParseApplication(200, res.headers, body);
    const owners: string[] = graphParseOwners(200, {}, body);
    const me: GraphUser = graphParseMe(200, [], body);
    const org: GraphOrganization = graphParseOrganization(200, [], body);
    graphParseRemovedPassword(204, [], new Uint8Array());
    const pre: Preflight = graphPreflight({ kind: 'delegated', scopes: ['Application.ReadWrite.All'] }, true);
    console.log(requests.length, added.secret, one.keyCredentials, owners, me.mail, org.defaultDomain, pre.verdict);
  }
}, (e: unknown) => {
  if (e instanceof AzconnError) {
    const c: string = e.code;
    const f: string | null = e.field;
    console.log(c, f, e.hint);
  }
});
const report: CertificateReport = inspectCertificate({ pfx: 'MII', pfxPassword: 'x' }, 0);
const days: number = (report.notAfterUnix - Date.now() / 1000) / 86400;
const credential: Credential = Credential.load({ pfx: new Uint8Array(8), pfxPassword: 'x' }, Math.floor(Date.now() / 1000));
const pkcs8: Uint8Array = credential.privateKeyPkcs8();
const params: AssertionParams = { tenantId: t, clientId: t, now: 0, options: { profile: 'rs256Sha1', includeX5c: true, lifetimeSeconds: 300 } };
const unsigned: UnsignedAssertion = credential.assertion(params);
const thumbprint: string = credential.report().x5tS256;
const jws: string = completeAssertion(unsigned, new Uint8Array(unsigned.signatureLength));
void credential.signAssertion(params).then((signed: string) => console.log(signed, thumbprint), () => credential.free());
const mac: Uint8Array = hmacSha256(new Uint8Array(32), new TextEncoder().encode(code));
const store = { endpoint: 'https://s.azconfig.io' };
const put: HttpRequest = appConfigPut({ ...store, key: 'k', label: null, write: { value: 'v', tags: { 'managed-by': 'azconn' } }, condition: 'ifNoneMatchAny' });
const kvRequests: HttpRequest[] = [
  appConfigGet({ ...store, key: 'k', label: 'prod' }),
  appConfigList({ ...store, query: { key: { prefix: 'app:' }, label: { exact: null } } }),
  appConfigNextPage({ ...store, nextLink: '/kv?after=x' }),
  appConfigDelete({ ...store, key: 'k', condition: { ifMatch: 'etag' } }),
];
const syncToken: string | undefined = appConfigSyncTokens([[['sync-token', 'a=b;sn=1']]]);
const signed: HttpRequest = appConfigSign(put, 'Endpoint=...', 0, 'global', [new Headers()]);
const bearer: HttpRequest = appConfigAuthorize(put, 'token', undefined);
const kvBody = new Uint8Array();
const kvPage: KvPage = appConfigParseList(store, 200, [], kvBody);
const got: KeyValue | null = appConfigParseGet(200, [], kvBody);
const written: KeyValue = appConfigParsePut(200, [], kvBody);
const deleted: KeyValue | null = appConfigParseDelete(200, [], kvBody);
const kvError: AppConfigError = appConfigParseError(409, [], kvBody);
const state: RotationState = rotationStart({ connectionId: 'c', rotationId: '07070707-0707-4707-8707-070707070707', app: { objectId: 'o' }, lifetimeSecs: 86400 });
const next: RotationNext = rotationNext(state, 'token', 0, undefined);
if (next.step.step === 'send') console.log(next.step.request.url, next.step.purpose);
const afterResponse: RotationStep = rotationOnResponse(next.rotation, 200, [], kvBody, 0);
const afterVerify: RotationStep = rotationOnVerified(afterResponse.rotation, { result: 'ok' }, 0);
const published: RotationStep = rotationOnPublished(afterVerify.rotation);
console.log(published.error?.code, published.rotation.phase.phase);
const planner = new SyncPlanner({ ...store, spec: { prefix: 'app:', label: 'prod', mode: 'overwrite', owner: 'sync-1' }, desired: { a: { kind: 'plain', value: '1' } } });
const firstList: HttpRequest = planner.firstRequest();
const more: HttpRequest | null = planner.onPage(200, [], kvBody);
const plan: SyncPlan = planner.plan();
const opRequests: HttpRequest[] = plan.ops.map((op) => planner.opRequest(op));
planner.free();
const retry: RetryDecision = retryDecide({ attempt: 1, elapsedMs: 0, now: 0, entropy: 7 }, 503, [['retry-after', '1']], undefined);
const timedOut: RetryDecision = retryDecide({ attempt: 2 }, undefined, undefined, undefined);
console.log(endpoints, named, s, p, q, granted, days, pkcs8, jws, mac, signed.url, bearer.headers, syncToken, kvRequests, kvPage.nextLink,
  got?.etag, written.tags, deleted, kvError.kind, firstList, more, opRequests.length, retry, timedOut);

// The browser entry: the forms exports and the certificate exports.
const b: FormValidation = browser.validateForm({ name: 'x' });
console.log(b.valid, browser.inspectCertificate({ certificate: '' }, 0).subject, browser.tenantId('contoso.com'));
const browserCredential: browser.Credential = browser.Credential.load({ certificate: '', privateKey: '' }, 0);
const browserAssertion: browser.UnsignedAssertion = browserCredential.assertion({ tenantId: 'contoso.com', clientId: t, now: 0 });
console.log(browserCredential.report().chainLength, browser.completeAssertion(browserAssertion, new Uint8Array(browserAssertion.signatureLength)));

// The forms entry: certificate functions behind loadCertificates().
const formsCheck: forms.FormValidation = forms.validateForm({ name: 'x', connectionType: 'azure-client-secrets', method: 'certificate' });
console.log(formsCheck.valid, forms.tenantId('contoso.com'));
// @ts-expect-error the forms entry starts the sign-in; the redirect is parsed where the code is redeemed
forms.parseCallback('code=c&state=s', 's');
void forms.loadCertificates().then((certs: forms.CertificateApi) => {
  const report: forms.CertificateReport = certs.inspectCertificate({ certificate: '' }, 0);
  const loaded: forms.Credential = certs.Credential.load({ certificate: '', privateKey: '' }, 0);
  const keyDer: Uint8Array = loaded.privateKeyPkcs8();
  // @ts-expect-error the certificate module of the forms entry builds no client assertion
  loaded.assertion({ tenantId: 'contoso.com', clientId: t, now: 0 });
  console.log(report.thumbprintSha256, keyDer);
}, (e: unknown) => {
  if (e instanceof forms.AzconnError) console.log(e.code);
});
// The PFX module: the same exports, PKCS#12 files too.
void forms.loadCertificates({ pfx: true }).then((certs: forms.CertificateApi) => {
  console.log(certs.inspectCertificate({ pfx: new Uint8Array(0), pfxPassword: '' }, 0).chainLength);
});
// @ts-expect-error the option is `pfx`
void forms.loadCertificates({ legacyPfx: true });

// The generated types are as precise as the Rust definitions: the drifts the hand-written ones
// had are now compile errors.
const stop = retryDecide({ attempt: 9 }, 503, undefined, undefined);
if (stop.decision === 'stop' && stop.reason === 'notRetryable') console.log(stop.status);
const listed = validateForm({});
if (!listed.valid) for (const e of listed.errors) if (e.code === 'required') console.log(e.field);
// @ts-expect-error: not one of the core's error codes
if (!listed.valid && listed.errors[0]?.code === 'no-such-code') console.log('never');
void redeemCode().then((token) => {
  // @ts-expect-error: the core omits an absent refresh token, it is never null
  const nullable: string | null = token.refreshToken;
  console.log(nullable);
});
// @ts-expect-error: a custom cloud needs every endpoint (armHost is missing)
cloudEndpoints({ kind: 'custom', authorityHost: 'http://127.0.0.1:1', graphRoot: 'http://127.0.0.1:1', graphAudience: 'x', appConfigurationHosts: [], appConfigurationAudience: 'y' });

// Fidelity: Microsoft's own clients (App Configuration SDK, MSAL Node) against the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AppConfigurationClient } from "@azure/app-configuration";
import { makeCertificates, start, TENANT, APP_ID, SECRET, STORE_KEY, USER, REDIRECT } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
let certs, emu;
const insecure = { allowInsecureConnection: true };

before(async () => {
  certs = makeCertificates();
  emu = await start(certs);
});
after(async () => {
  await emu?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

function msal(input) {
  const out = execFileSync(process.execPath, [join(here, "msal-client.mjs"), JSON.stringify(input)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(certs.dir, "ca.pem") },
  });
  return JSON.parse(out.toString().trim().split("\n").pop());
}

test("App Configuration SDK with an HMAC connection string: set, get, list, delete", async () => {
  // The store is plain http on loopback (like Microsoft's emulator), which the SDK must be told to allow.
  const client = new AppConfigurationClient(
    `Endpoint=${emu.ready.stores.fid};Id=${STORE_KEY.id};Secret=${STORE_KEY.secret}`, insecure);
  const set = await client.setConfigurationSetting({
    key: "Fidelity:Db:Url", label: "prod", value: "postgres://x", contentType: "text/plain", tags: { t: "1" },
  });
  assert.equal(set.value, "postgres://x");
  assert.equal(set.label, "prod");
  assert.ok(set.etag);
  await client.setConfigurationSetting({ key: "Fidelity:Other", value: "2" });
  await client.setConfigurationSetting({ key: "Fidelity:Third", value: "3" });
  await client.setConfigurationSetting({ key: "Elsewhere", value: "x" });

  const got = await client.getConfigurationSetting({ key: "Fidelity:Db:Url", label: "prod" });
  assert.equal(got.value, "postgres://x");
  assert.equal(got.contentType, "text/plain");
  assert.deepEqual(got.tags, { t: "1" });

  // pageSize is 2 in the seed, so listing three keys follows a next link.
  const listed = [];
  for await (const s of client.listConfigurationSettings({ keyFilter: "Fidelity:*" })) listed.push(s.key);
  assert.deepEqual(listed.sort(), ["Fidelity:Db:Url", "Fidelity:Other", "Fidelity:Third"]);

  const deleted = await client.deleteConfigurationSetting({ key: "Fidelity:Db:Url", label: "prod" });
  assert.equal(deleted.statusCode, 200);
  await assert.rejects(client.getConfigurationSetting({ key: "Fidelity:Db:Url", label: "prod" }),
    (e) => e.statusCode === 404);

  const state = await (await fetch(`${emu.ready.admin}/stores/fid/kv`)).json();
  assert.deepEqual(state.items.map((i) => i.key).sort(), ["Elsewhere", "Fidelity:Other", "Fidelity:Third"]);
});

test("App Configuration SDK with a wrong secret gets 401", async () => {
  const wrong = Buffer.from("not-the-secret").toString("base64");
  const client = new AppConfigurationClient(`Endpoint=${emu.ready.stores.fid};Id=${STORE_KEY.id};Secret=${wrong}`, insecure);
  await assert.rejects(client.getConfigurationSetting({ key: "Elsewhere" }), (e) => e.statusCode === 401);
});

test("MSAL Node client credentials with a client secret", () => {
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID, clientSecret: SECRET,
    scope: "https://graph.microsoft.com/.default" });
  assert.equal(r.ok, true, JSON.stringify(r));
  const c = claims(r.accessToken);
  assert.equal(c.aud, "https://graph.microsoft.com");
  assert.equal(c.tid, TENANT);
  assert.equal(c.appid, APP_ID);
  assert.equal(c.appidacr, "1");
  assert.deepEqual(c.roles, ["Application.Read.All"]);
});

test("MSAL Node surfaces AADSTS7000215 for a wrong secret", () => {
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID, clientSecret: "wrong",
    scope: "https://graph.microsoft.com/.default" });
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, "invalid_client");
  assert.match(r.message, /Description: AADSTS7000215: Invalid client secret provided/);
});

test("MSAL Node client credentials with a certificate (PS256, x5t#S256)", () => {
  // Twice: MSAL reuses its signed assertion (same jti) until it nears expiry, as Entra allows.
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID, times: 2,
    certificate: { thumbprintSha256: certs.thumbprintSha256, privateKey: certs.clientKey },
    scope: "https://graph.microsoft.com/.default" });
  assert.equal(r.ok, true, JSON.stringify(r));
  const c = claims(r.accessToken);
  assert.equal(c.appidacr, "2");
  assert.equal(c.oid, "0a0a0a0a-0000-4000-8000-000000000002");
});

test("MSAL Node client credentials with a certificate (RS256, SHA-1 x5t)", () => {
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID,
    certificate: { thumbprint: certs.thumbprintSha1, privateKey: certs.clientKey },
    scope: "https://graph.microsoft.com/.default" });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(claims(r.accessToken).appidacr, "2");
});

test("MSAL Node with an unregistered certificate gets AADSTS700027", () => {
  const other = makeCertificates();
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID,
    certificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.clientKey },
    scope: "https://graph.microsoft.com/.default" });
  rmSync(other.dir, { recursive: true, force: true });
  assert.equal(r.ok, false);
  assert.match(r.message, /Description: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered/);
});

test("MSAL Node redeems a PKCE authorization code from the sign-in page (acquireTokenByCode)", async () => {
  // RFC 7636 Appendix B.
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  const q = new URLSearchParams({ client_id: APP_ID, response_type: "code", redirect_uri: REDIRECT,
    scope: "openid profile offline_access https://graph.microsoft.com/User.Read", state: "s1",
    code_challenge: challenge, code_challenge_method: "S256", login_hint: "ada@fidelity.onmicrosoft.com" });
  const page = await (await fetch(`${emu.ready.entra}/${TENANT}/oauth2/v2.0/authorize?${q}`)).text();
  const requestId = page.match(/name="request_id" value="([^"]+)"/)[1];
  const answer = await fetch(`${emu.ready.entra}/${TENANT}/oauth2/v2.0/authorize`, {
    method: "POST", redirect: "manual",
    body: new URLSearchParams({ request_id: requestId, user: USER, action: "accept" }),
  });
  assert.equal(answer.status, 302);
  const location = new URL(answer.headers.get("location"));
  assert.equal(location.searchParams.get("state"), "s1");
  const r = msal({ origin: emu.ready.tls.entra, tenant: TENANT, clientId: APP_ID, clientSecret: SECRET,
    code: location.searchParams.get("code"), redirectUri: REDIRECT, codeVerifier: verifier,
    scope: "https://graph.microsoft.com/User.Read" });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.account.homeAccountId, `${USER}.${TENANT}`);
  assert.equal(r.account.username, "ada@fidelity.onmicrosoft.com");
  const c = claims(r.accessToken);
  assert.equal(c.scp, "User.Read");
  assert.equal(c.oid, USER);
});

test("App Configuration SDK with an Entra token credential over TLS (bearer, role assignment)", async () => {
  const out = execFileSync(process.execPath, [join(here, "appconfig-bearer-client.mjs"), JSON.stringify({
    entra: emu.ready.entra, tenant: TENANT, clientId: APP_ID, clientSecret: SECRET, store: emu.ready.tls.stores.fid,
  })], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(certs.dir, "ca.pem") } });
  const r = JSON.parse(out.toString().trim().split("\n").pop());
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value, "1");
  assert.deepEqual(r.keys, ["Bearer:A", "Bearer:B"]);
  // The SDK picks the public-cloud audience for a host that is not an App Configuration domain.
  assert.deepEqual(r.scopes, ["https://appconfig.azure.com/.default"]);
  const state = await (await fetch(`${emu.ready.admin}/stores/fid/kv`)).json();
  assert.ok(state.items.some((i) => i.key === "Bearer:A" && i.label === "x"));
  assert.ok(!state.items.some((i) => i.key === "Bearer:B"));
});

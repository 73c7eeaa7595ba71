// Runs MSAL in a child process so NODE_EXTRA_CA_CERTS (read at start-up) trusts the test CA.
// Input: JSON in argv[2]; output: one JSON line with the result or the error.
import { ConfidentialClientApplication } from "@azure/msal-node";

const input = JSON.parse(process.argv[2]);
const { origin, tenant, clientId } = input;
const host = new URL(origin).host;
const authority = `${origin}/${tenant}`;
const authorityMetadata = {
  token_endpoint: `${authority}/oauth2/v2.0/token`,
  authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
  end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
  issuer: `${origin}/${tenant}/v2.0`,
  jwks_uri: `${authority}/discovery/v2.0/keys`,
};
const cloudDiscoveryMetadata = {
  tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
  "api-version": "1.1",
  metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
};
const auth = {
  clientId,
  authority,
  knownAuthorities: [host],
  authorityMetadata: JSON.stringify(authorityMetadata),
  cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadata),
};
if (input.clientSecret) auth.clientSecret = input.clientSecret;
if (input.certificate) auth.clientCertificate = input.certificate;
const app = new ConfidentialClientApplication({ auth });
try {
  let r;
  if (input.code) {
    r = await app.acquireTokenByCode({ code: input.code, redirectUri: input.redirectUri, scopes: [input.scope],
      codeVerifier: input.codeVerifier });
  } else {
    for (let i = 0; i < (input.times ?? 1); i++) {
      r = await app.acquireTokenByClientCredential({ scopes: [input.scope], skipCache: true });
    }
  }
  console.log(JSON.stringify({ ok: true, accessToken: r.accessToken, expiresOn: r.expiresOn,
    account: r.account && { homeAccountId: r.account.homeAccountId, username: r.account.username } }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, errorCode: e.errorCode, message: String(e.errorMessage ?? e.message) }));
}

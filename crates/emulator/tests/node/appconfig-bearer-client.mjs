// The App Configuration SDK with an Entra token credential against the store's TLS origin, in a child
// process so NODE_EXTRA_CA_CERTS trusts the test CA. Input: JSON in argv[2]; output: one JSON line.
import { AppConfigurationClient } from "@azure/app-configuration";

const input = JSON.parse(process.argv[2]);
const scopesSeen = [];
const credential = {
  async getToken(scopes) {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    scopesSeen.push(scope);
    const r = await fetch(`${input.entra}/${input.tenant}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ client_id: input.clientId, client_secret: input.clientSecret,
        grant_type: "client_credentials", scope }),
    });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error_description);
    return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
  },
};
try {
  const client = new AppConfigurationClient(input.store, credential);
  await client.setConfigurationSetting({ key: "Bearer:A", label: "x", value: "1" });
  await client.setConfigurationSetting({ key: "Bearer:B", value: "2" });
  const got = await client.getConfigurationSetting({ key: "Bearer:A", label: "x" });
  const keys = [];
  for await (const s of client.listConfigurationSettings({ keyFilter: "Bearer:*" })) keys.push(s.key);
  await client.deleteConfigurationSetting({ key: "Bearer:B" });
  console.log(JSON.stringify({ ok: true, value: got.value, keys: keys.sort(), scopes: [...new Set(scopesSeen)] }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, status: e.statusCode, message: String(e.message) }));
}

// Compiled with tsc --strict --noEmit (make test-wasm): the hand-written .d.ts files are
// self-consistent and usable. It imports the package by its own name (self-reference).
import {
  AzconnError, authorizeRequest, validateForm, parseCallback, parseTokenResponse,
  inspectCertificate, hmacSha256, graph, appConfig, rotation, syncPlan, call,
} from 'azconn';
import * as browser from 'azconn/browser';

const form = validateForm({ name: 'prod', connectionType: 'azure-client-secrets', method: 'oauth' });
if (form.valid) {
  const tenant: string = form.connection.tenantId;
  console.log(tenant);
} else {
  for (const e of form.errors) console.log(e.field, e.code, e.message, e.hint);
}
const req = authorizeRequest({
  clientId: '00000000-0000-0000-0000-000000000000',
  redirectUri: 'https://app.example/callback',
  connectionType: 'azure-app-configuration',
  cloud: 'us-government',
});
const code: string = parseCallback(location.search, req.state);
try {
  const token = parseTokenResponse({ status: 200, headers: [], body: '{}' }, 0);
  const expiresAt: number = token.expiresAt;
  const list = graph.listApplications({ token: token.accessToken, query: { top: 5 } });
  const headers: [string, string][] = list.headers;
  console.log(expiresAt, headers);
} catch (e) {
  if (e instanceof AzconnError) {
    const c: string = e.code;
    const f: string | null = e.field;
    console.log(c, f, e.hint);
  }
}
const report = browser.inspectCertificate({ pfx: 'MII', pfxPassword: 'x' }, 0);
const days: number = (report.notAfterUnix - Date.now() / 1000) / 86400;
const mac: Uint8Array = hmacSha256(new Uint8Array(32), new TextEncoder().encode(code));
const put = appConfig.put({ endpoint: 'https://s.azconfig.io', key: 'k', write: { value: 'v' }, condition: 'ifNoneMatchAny' });
const signed = appConfig.sign({ request: put, connectionString: 'Endpoint=...', now: 0 });
const state = rotation.start({ connectionId: 'c' });
const { step } = rotation.next(state, 'token', 0);
const plan = syncPlan({ endpoint: 'https://s.azconfig.io', spec: {}, desired: {} });
const anything: unknown = call('ids.tenantId', 'contoso.com');
console.log(days, mac, signed.url, step, plan.opRequests.length, anything);

// The forms entry: certificate functions behind loadCertificates().
import * as forms from 'azconn/forms';
const formsCheck: forms.FormValidation = forms.validateForm({ name: 'x', connectionType: 'azure-client-secrets', method: 'certificate' });
console.log(formsCheck.valid, forms.tenantId('contoso.com'));
void forms.loadCertificates().then((certs: forms.CertificateApi) => {
  const report: forms.CertificateReport = certs.inspectCertificate({ certificate: '' }, 0);
  const keyDer: string = certs.privateKeyPkcs8({ certificate: '', privateKey: '' }, 0);
  console.log(report.thumbprintSha256, keyDer);
}, (e: unknown) => {
  if (e instanceof forms.AzconnError) console.log(e.code);
});

// Add / edit connection: the options modal, then the form of the chosen type with its method.
// Fields validate as the user types with the wasm core's own rules and messages (the same
// code the Worker runs), certificate panel included; OAuth shows the redirect URI and the
// permissions to grant, and says up front when the deployment has no OAuth app configured.
import { api, ApiFailure, type ApiErrorObject, type Connection, type ConnectionOption, type ConnectionType, type Method } from './api';
import { h, clear, copyButton, announce } from './dom';
import { errorBox, errorText } from './errors';
import { openModal, focusFirst, type Modal } from './modal';
import { loadCore, type Core } from './core';
import { METHOD_LINES, METHOD_NAMES, TYPE_LINES, TYPE_NAMES, permissionsFor } from './labels';
import type { CertificateReport, CloudInput as Cloud } from 'azconn/forms';

const TYPES: ConnectionType[] = ['azure-client-secrets', 'azure-app-configuration'];
const RETRY_KEY = 'azconn.oauth';

let optionsPromise: Promise<{ cloud: Cloud; options: ConnectionOption[] }> | null = null;
function options() {
  optionsPromise ??= api.options() as Promise<{ cloud: Cloud; options: ConnectionOption[] }>;
  optionsPromise.catch(() => (optionsPromise = null));
  return optionsPromise;
}

type Done = (id: string) => void;

export function openAddConnection(done: Done): void {
  const m = openModal('Add Connection', { wide: true });
  chooseType(m, done);
}

function chooseType(m: Modal, done: Done): void {
  m.setTitle('Add Connection');
  clear(
    m.body,
    h('p', { class: 'muted' }, 'Choose what azconn should connect to.'),
    h(
      'div',
      { class: 'options' },
      TYPES.map((t) => {
        const b = h('button', { type: 'button', class: 'option-card', 'data-type': t }, h('strong', {}, TYPE_NAMES[t]), h('span', {}, TYPE_LINES[t]));
        b.addEventListener('click', () => void renderForm(m, t, done, null, {}));
        return b;
      }),
    ),
  );
  focusFirst(m.body);
}

export function openEditConnection(c: Connection, done: Done): void {
  const m = openModal(`Edit ${c.name}`, { wide: true });
  void renderForm(m, c.type, done, c, {});
}

interface Saved {
  type: ConnectionType;
  name?: string;
  description?: string;
  tenantId?: string;
  endpoint?: string;
  reconnectId?: string;
}

/** After a failed sign-in: reopen the form with what the user typed (kept in this tab only). */
export function resumeRetry(done: Done): void {
  let saved: Saved | null = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(RETRY_KEY) ?? 'null') as Saved | null;
  } catch {
    saved = null;
  }
  if (!saved || !TYPES.includes(saved.type)) {
    openAddConnection(done);
    return;
  }
  if (saved.reconnectId) {
    const id = saved.reconnectId;
    const type = saved.type;
    const m = openModal('Reconnect to Azure');
    const go = h('button', { type: 'button', class: 'btn primary' }, 'Connect to Azure');
    const err = h('div', { class: 'form-error' });
    go.addEventListener('click', async () => {
      go.disabled = true;
      go.textContent = 'Redirecting to Azure…';
      try {
        const r = await api.oauthStart(type, { reconnectId: id });
        location.assign(r.url);
      } catch (e) {
        go.disabled = false;
        go.textContent = 'Connect to Azure';
        clear(err, errorBox(e));
      }
    });
    m.body.append(h('p', {}, 'Sign in to Azure again to renew the connection.'), err, h('div', { class: 'actions' }, go));
    return;
  }
  const m = openModal('Add Connection', { wide: true });
  void renderForm(m, saved.type, done, null, { method: 'oauth', name: saved.name ?? '', description: saved.description ?? '', tenantId: saved.tenantId ?? '', endpoint: saved.endpoint ?? '' });
}

type FieldName = 'name' | 'description' | 'tenantId' | 'clientId' | 'clientSecret' | 'certificate' | 'privateKey' | 'privateKeyPassphrase' | 'endpoint';
const SECRET_FIELDS: FieldName[] = ['clientSecret', 'certificate', 'privateKey', 'privateKeyPassphrase'];

interface Field {
  name: FieldName;
  label: string;
  help: string;
  kind: 'text' | 'password' | 'textarea';
  placeholder?: string;
  optional?: boolean;
  file?: boolean;
}

function fieldsFor(type: ConnectionType, method: Method): Field[] {
  const f: Field[] = [
    { name: 'name', label: 'Name', help: 'Lowercase letters, numbers and hyphens, e.g. prod-graph.', kind: 'text', placeholder: 'prod-graph' },
    { name: 'description', label: 'Description', help: 'Optional, up to 256 characters.', kind: 'text', optional: true },
  ];
  const tenantHelp = 'Directory (tenant) ID from Entra ID → Overview, or a verified domain such as contoso.onmicrosoft.com.';
  if (method === 'oauth') {
    f.push({ name: 'tenantId', label: 'Tenant', help: `${tenantHelp} Leave blank to sign in to any work account (organizations).`, kind: 'text', optional: true });
  } else {
    f.push({ name: 'tenantId', label: 'Tenant ID', help: tenantHelp, kind: 'text', placeholder: '00000000-0000-0000-0000-000000000000' });
    f.push({ name: 'clientId', label: 'Client ID', help: 'Application (client) ID of your app registration (Entra ID → App registrations → Overview).', kind: 'text', placeholder: '00000000-0000-0000-0000-000000000000' });
  }
  if (method === 'client-secret') {
    f.push({ name: 'clientSecret', label: 'Client secret value', help: "The secret's Value column (shown once when it is created), not its Secret ID.", kind: 'password' });
  }
  if (method === 'certificate') {
    f.push({ name: 'certificate', label: 'Certificate (PEM)', help: 'The public certificate uploaded to the app registration (Certificates & secrets → Certificates). Paste it or choose a .pem/.crt file.', kind: 'textarea', file: true, placeholder: '-----BEGIN CERTIFICATE-----' });
    f.push({ name: 'privateKey', label: 'Private key (PEM)', help: 'PKCS#8 or PKCS#1 RSA key; it stays encrypted in azconn and never reaches Azure.', kind: 'textarea', file: true, placeholder: '-----BEGIN PRIVATE KEY-----' });
    f.push({ name: 'privateKeyPassphrase', label: 'Key passphrase', help: 'Only if the private key is encrypted.', kind: 'password', optional: true });
  }
  if (type === 'azure-app-configuration') {
    f.push({ name: 'endpoint', label: 'Store endpoint', help: 'https://<store>.azconfig.io. azconn reads the store once to check access; leave blank to check only the sign-in.', kind: 'text', optional: true, placeholder: 'https://mystore.azconfig.io' });
  }
  return f;
}

async function renderForm(m: Modal, type: ConnectionType, done: Done, existing: Connection | null, initial: Partial<Record<FieldName | 'method', string>>): Promise<void> {
  m.setTitle(existing ? `Edit ${existing.name}` : `Add ${TYPE_NAMES[type]} Connection`);
  clear(m.body, h('p', { class: 'muted' }, 'Loading…'));
  let opts: { cloud: Cloud; options: ConnectionOption[] };
  try {
    opts = await options();
  } catch (e) {
    clear(m.body, errorBox(e));
    return;
  }
  const option = opts.options.find((o) => o.type === type)!;
  let method: Method = existing?.method ?? ((initial.method as Method | undefined) ?? (option.methods.find((x) => x.method === 'oauth')?.available ? 'oauth' : 'client-secret'));
  const values: Record<FieldName, string> = {
    name: existing?.name ?? initial.name ?? '',
    description: existing?.description ?? initial.description ?? '',
    tenantId: existing?.tenantId ?? initial.tenantId ?? '',
    clientId: existing?.clientId ?? '',
    clientSecret: '',
    certificate: '',
    privateKey: '',
    privateKeyPassphrase: '',
    endpoint: existing?.endpoint ?? initial.endpoint ?? '',
  };
  const touched = new Set<FieldName>(Object.entries(values).filter(([, v]) => v).map(([k]) => k as FieldName));
  let core: Core | null = null;
  let serverErrors: ApiErrorObject[] = [];

  const formError = h('div', { class: 'form-error', 'aria-live': 'polite' });
  const fieldsBox = h('div', { class: 'fields' });
  const certPanel = h('section', { class: 'cert-panel', 'aria-live': 'polite', 'aria-label': 'Certificate' });
  const oauthPanel = h('section', { class: 'oauth-panel' });
  const permPanel = h('section', { class: 'perm-panel' });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'submit-connection' });
  const coreStatus = h('p', { class: 'muted small core-status' }, 'Loading the validator…');
  const errorEls = new Map<FieldName, HTMLElement>();
  const inputs = new Map<FieldName, HTMLInputElement | HTMLTextAreaElement>();
  const infoEls = new Map<FieldName, HTMLElement>();

  const methodBox = h('fieldset', { class: 'methods' }, h('legend', {}, 'Method'));
  for (const mo of option.methods) {
    const id = `method-${mo.method}`;
    const radio = h('input', { type: 'radio', name: 'method', id, value: mo.method, checked: mo.method === method, disabled: !!existing && mo.method !== method });
    radio.addEventListener('change', () => {
      method = mo.method;
      serverErrors = [];
      drawFields();
      validate();
    });
    methodBox.append(
      h(
        'div',
        { class: `method${mo.available ? '' : ' unavailable'}` },
        radio,
        h(
          'label',
          { for: id },
          h('strong', {}, METHOD_NAMES[mo.method]),
          h('span', { class: 'muted small' }, METHOD_LINES[mo.method]),
          !mo.available && mo.reason
            ? h('span', { class: 'not-configured', id: `${id}-reason` }, `Not available on this deployment: ${mo.reason.message}.`, mo.reason.hint ? ` ${mo.reason.hint}` : '')
            : null,
        ),
      ),
    );
  }
  if (existing) methodBox.append(h('p', { class: 'muted small' }, 'The method cannot be changed after creation.'));

  const drawFields = () => {
    fieldsBox.replaceChildren();
    errorEls.clear();
    inputs.clear();
    infoEls.clear();
    for (const f of fieldsFor(type, method)) {
      const id = `f-${f.name}`;
      const err = h('p', { class: 'field-error', id: `${id}-error` });
      const info = h('p', { class: 'field-info', id: `${id}-info` });
      const attrs = {
        id,
        name: f.name,
        placeholder: existing && SECRET_FIELDS.includes(f.name) ? 'Leave blank to keep the stored value' : f.placeholder,
        'aria-describedby': `${id}-help ${id}-info ${id}-error`,
        autocomplete: 'off',
        spellcheck: 'false',
        required: !f.optional && !(existing && SECRET_FIELDS.includes(f.name)),
      };
      const input = f.kind === 'textarea' ? h('textarea', { ...attrs, rows: 4 }) : h('input', { ...attrs, type: f.kind === 'password' ? 'password' : 'text' });
      input.value = values[f.name];
      input.addEventListener('input', () => {
        values[f.name] = input.value;
        touched.add(f.name);
        serverErrors = serverErrors.filter((e) => e.field !== f.name);
        validate();
      });
      // Leaving a field checks what was typed; a blank required field is reported on submit.
      input.addEventListener('blur', () => {
        if (!input.value) return;
        touched.add(f.name);
        validate();
      });
      inputs.set(f.name, input);
      errorEls.set(f.name, err);
      infoEls.set(f.name, info);
      const fileInput = f.file
        ? (() => {
            const fi = h('input', { type: 'file', id: `${id}-file`, accept: f.name === 'certificate' ? '.pem,.crt,.cer' : '.pem,.key', class: 'file' });
            fi.addEventListener('change', async () => {
              const file = fi.files?.[0];
              if (!file) return;
              input.value = (await file.text()).trim();
              values[f.name] = input.value;
              touched.add(f.name);
              validate();
            });
            return h('label', { class: 'file-label', for: `${id}-file` }, `Choose a file for the ${f.name === 'certificate' ? 'certificate' : 'private key'}`, fi);
          })()
        : null;
      fieldsBox.append(
        h(
          'div',
          { class: `field field-${f.name}` },
          h('label', { for: id }, f.label, f.optional ? h('span', { class: 'muted small' }, ' (optional)') : null),
          input,
          fileInput,
          h('p', { class: 'help', id: `${id}-help` }, f.help),
          info,
          err,
        ),
      );
    }
    certPanel.hidden = method !== 'certificate';
    oauthPanel.hidden = method !== 'oauth';
    drawOauth();
    drawPermissions();
    submit.textContent = method === 'oauth' ? (existing ? 'Reconnect to Azure' : 'Connect to Azure') : existing ? 'Save changes' : 'Create connection';
    const unavailable = option.methods.find((x) => x.method === method && !x.available);
    submit.disabled = !!unavailable;
    if (unavailable) submit.setAttribute('aria-describedby', `method-${method}-reason`);
    else submit.removeAttribute('aria-describedby');
  };

  const drawOauth = () => {
    clear(
      oauthPanel,
      h('h3', {}, 'Redirect URI to register'),
      h('p', { class: 'muted small' }, 'In azconn’s app registration (Authentication → Web → Redirect URIs), exactly:'),
      h('div', { class: 'copy-row' }, h('code', { id: 'redirect-uri' }, option.redirectUri), copyButton(() => option.redirectUri, 'Copy redirect URI')),
    );
  };
  const drawPermissions = () => {
    const perms = permissionsFor(type, method);
    clear(
      permPanel,
      h('h3', {}, 'Permissions to grant'),
      h('ul', { class: 'perms' }, perms.map((p) => h('li', {}, p))),
      copyButton(() => perms.join('\n'), 'Copy permissions'),
    );
  };

  let certTimer: ReturnType<typeof setTimeout> | undefined;
  // The certificate module may still be loading when the user types on: only the newest
  // inspection draws.
  let certSeq = 0;
  const inspect = () => {
    if (method !== 'certificate' || !core) return;
    clearTimeout(certTimer);
    certTimer = setTimeout(() => void drawCert(core!), 150);
  };
  const drawCert = async (c: Core) => {
    const seq = ++certSeq;
    if (!values.certificate.trim()) {
      clear(certPanel, h('p', { class: 'muted' }, 'Paste or upload the certificate to see its subject, expiry and thumbprints.'));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    if (!values.privateKey.trim()) {
      clear(certPanel, h('h3', {}, 'Certificate'), h('p', { class: 'muted' }, 'Add the private key: the panel then shows the subject, expiry and thumbprints and checks that the key matches the certificate.'));
      return;
    }
    let report: CertificateReport;
    try {
      const certificates = await c.loadCertificates();
      if (seq !== certSeq) return;
      report = certificates.inspectCertificate({ certificate: values.certificate, privateKey: values.privateKey, privateKeyPassphrase: values.privateKeyPassphrase || undefined }, now);
    } catch (e) {
      if (seq !== certSeq) return;
      clear(certPanel, h('h3', {}, 'Certificate'), h('p', { class: 'bad', id: 'cert-problem' }, '✗ ', errorText(e)));
      return;
    }
    const keyCheck = h('p', { class: 'ok', id: 'key-match' }, '✓ The private key matches the certificate.');
    const days = Math.floor((report.notAfterUnix - now) / 86400);
    const row = (k: string, v: string | Node) => [h('dt', {}, k), h('dd', {}, v)];
    clear(
      certPanel,
      h('h3', {}, 'Certificate'),
      h(
        'dl',
        { class: 'facts' },
        row('Subject', report.subject),
        row('Issuer', report.issuer),
        row('Expires', h('span', { class: days < 30 ? 'bad' : '' }, `${report.notAfter} (${days >= 0 ? `in ${days} days` : `${-days} days ago`})`)),
        row('SHA-1 thumbprint', h('code', {}, report.thumbprintSha1)),
        row('SHA-256 thumbprint', h('code', {}, report.thumbprintSha256)),
        row('Key', `${report.keyType} ${report.keySize}`),
      ),
      report.warnings.map((w) => h('p', { class: 'warn' }, w.message, w.hint ? ` ${w.hint}` : '')),
      keyCheck,
    );
  };

  const validate = (): ApiErrorObject[] => {
    if (!core) return [];
    const form = { ...values, connectionType: type, method, cloud: opts.cloud };
    let errors: ApiErrorObject[] = [];
    try {
      const r = core.validateForm(form);
      if (!r.valid) errors = r.errors;
    } catch (e) {
      errors = [{ code: 'internal', message: errorText(e) }];
    }
    if (existing) errors = errors.filter((e) => !(SECRET_FIELDS.includes(e.field as FieldName) && e.code === 'required' && !values[e.field as FieldName]));
    errors = [...errors, ...serverErrors];
    const byField = new Map<string, ApiErrorObject>();
    for (const e of errors) if (e.field && !byField.has(e.field)) byField.set(e.field, e);
    for (const [name, el] of errorEls) {
      const e = byField.get(name);
      const show = e && (touched.has(name) || serverErrors.includes(e));
      el.textContent = show ? `${e.message}${e.hint ? ` — ${e.hint}` : ''}` : '';
      inputs.get(name)?.setAttribute('aria-invalid', show ? 'true' : 'false');
    }
    const tenant = values.tenantId.trim();
    const info = infoEls.get('tenantId');
    if (info) info.textContent = tenant && !byField.has('tenantId') && tenant.includes('.') ? `A domain works: Entra ID resolves ${tenant.toLowerCase()} to its tenant.` : '';
    inspect();
    return errors;
  };

  const form = h(
    'form',
    { class: 'connection-form', novalidate: true },
    methodBox,
    h('div', { class: 'form-grid' }, h('div', {}, fieldsBox), h('aside', { class: 'side' }, oauthPanel, certPanel, permPanel)),
    coreStatus,
    formError,
    h(
      'div',
      { class: 'actions' },
      existing
        ? null
        : (() => {
            const back = h('button', { type: 'button', class: 'btn' }, 'Back');
            back.addEventListener('click', () => chooseType(m, done));
            return back;
          })(),
      submit,
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.replaceChildren();
    if (!core) core = await loadCore();
    for (const f of fieldsFor(type, method)) touched.add(f.name);
    const errors = validate().filter((x) => method !== 'oauth' || ['name', 'description', 'tenantId', 'endpoint'].includes(x.field ?? ''));
    if (errors.length) {
      const first = errors.find((x) => x.field && inputs.has(x.field as FieldName));
      if (first) inputs.get(first.field as FieldName)?.focus();
      formError.append(h('p', { role: 'alert' }, `Fix ${errors.length === 1 ? 'the highlighted field' : `the ${errors.length} highlighted fields`} first.`));
      return;
    }
    submit.disabled = true;
    const label = submit.textContent ?? '';
    try {
      if (method === 'oauth') {
        submit.textContent = 'Redirecting to Azure…';
        const body: Record<string, string> = existing ? { reconnectId: existing.id } : pick(values, ['name', 'description', 'tenantId', 'endpoint']);
        const r = await api.oauthStart(type, body);
        sessionStorage.setItem(RETRY_KEY, JSON.stringify(existing ? { type, reconnectId: existing.id } : { type, ...body }));
        location.assign(r.url);
        return;
      }
      submit.textContent = existing ? 'Saving…' : 'Checking with Azure…';
      const fields = ['name', 'description', 'tenantId', 'clientId', ...(method === 'client-secret' ? ['clientSecret'] : ['certificate', 'privateKey', 'privateKeyPassphrase']), ...(type === 'azure-app-configuration' ? ['endpoint'] : [])] as FieldName[];
      const body = { method, ...pick(values, fields) };
      const r = existing ? await api.update(type, existing.id, body) : await api.create(type, body);
      announce(existing ? `${r.appConnection.name} saved` : `${r.appConnection.name} created`);
      m.close();
      done(r.appConnection.id);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = label;
      if (err instanceof ApiFailure) {
        serverErrors = (err.errors.length ? err.errors : [err.error]).filter((x) => x.field && inputs.has(x.field as FieldName));
        validate();
        const firstField = serverErrors[0]?.field as FieldName | undefined;
        if (firstField) inputs.get(firstField)?.focus();
      }
      clear(formError, errorBox(err));
    }
  });

  clear(m.body, form);
  drawFields();
  focusFirst(fieldsBox);
  loadCore()
    .then((c) => {
      core = c;
      coreStatus.textContent = 'Fields are checked as you type, with the same rules as the server.';
      validate();
    })
    .catch((e) => {
      coreStatus.textContent = `The in-browser validator did not load (${errorText(e)}); the server still checks everything.`;
    });
}

function pick(values: Record<FieldName, string>, names: FieldName[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (values[n].trim() !== '' || n === 'name') out[n] = SECRET_FIELDS.includes(n) ? values[n] : values[n].trim();
  return out;
}

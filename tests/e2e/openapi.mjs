// The API's OpenAPI document (host/openapi.json, `make types`) as the one validator of the Worker's
// answers: the e2e harness's `apiClient` and the UI harness's browser (tests/ui/browser.mjs) check
// every JSON answer under /api/v1 with it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ROOT = resolve(import.meta.dirname, '../..');

/** The document, compiled with ajv's JSON Schema 2020-12 validator. */
const OPENAPI = JSON.parse(readFileSync(join(ROOT, 'host/openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
// schemars' integer formats, bounded as the Rust types are.
for (const [name, min, max] of [['uint8', 0, 255], ['uint16', 0, 65535], ['uint32', 0, 2 ** 32 - 1],
  ['int32', -(2 ** 31), 2 ** 31 - 1], ['uint64', 0, Number.MAX_SAFE_INTEGER], ['int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]]) {
  ajv.addFormat(name, { type: 'number', validate: (n) => Number.isInteger(n) && n >= min && n <= max });
}
// The document's own members beside its schemas: not JSON Schema keywords.
for (const k of ['openapi', 'jsonSchemaDialect', 'info', 'servers', 'security', 'paths', 'components']) ajv.addKeyword(k);
ajv.addSchema(OPENAPI, 'openapi.json');
const pointer = (...parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
/** The document's paths as patterns; literal segments win over `{parameters}` (`/options`). */
const TEMPLATES = Object.keys(OPENAPI.paths)
  .map((t) => ({ t, re: new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$'), params: (t.match(/\{/g) || []).length }))
  .sort((a, b) => a.params - b.params);
const compiled = new Map();

/** The schema of `method path` answering `status` in the document, as ajv validates it, or a reason
 * why the document has none. An error status of a path the document does not have is the envelope. */
export function answerValidator(method, path, status) {
  const bare = path.split('?')[0].replace(/^\/api\/v1/, '');
  const found = TEMPLATES.find(({ re }) => re.test(bare));
  const op = found && OPENAPI.paths[found.t][method.toLowerCase()];
  let ref;
  if (op && op.responses[status]) {
    const r = op.responses[status];
    ref = r.$ref ? 'openapi.json#/components/responses/Error/content/application~1json/schema'
      : 'openapi.json#/' + pointer('paths', found.t, method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema');
  } else if (status >= 400 && !op) {
    ref = 'openapi.json#/components/responses/Error/content/application~1json/schema';
  } else {
    return { missing: op ? `the document has no ${status} for ${method} ${found.t}` : `the document has no ${method} ${bare}` };
  }
  if (!compiled.has(ref)) compiled.set(ref, ajv.compile({ $ref: ref }));
  return { validate: compiled.get(ref) };
}

/** Throws unless `json` is what the document says `method path` answers with `status`. */
export function checkAnswer(method, path, status, json) {
  const { validate, missing } = answerValidator(method, path, status);
  if (missing) throw new Error(`OpenAPI: ${method} ${path} ${status}: ${missing}`);
  if (!validate(json)) {
    throw new Error(`OpenAPI: ${method} ${path} ${status} does not match host/openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json).slice(0, 2000)}`);
  }
}

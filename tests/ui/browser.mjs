// Shared by the UI journeys: Debian chromium through playwright-core (a fresh profile per
// launch, removed when it closes), every API answer the browser gets checked against
// host/openapi.json, sign-in through the UI, and a screenshot per journey under test-artifacts/ui/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach } from 'node:test';
import { chromium } from 'playwright-core';
import { ROOT } from '../e2e/harness.mjs';
import { checkAnswer } from '../e2e/openapi.mjs';

export const ARTIFACTS = join(ROOT, 'test-artifacts/ui');
mkdirSync(ARTIFACTS, { recursive: true });

/** Every answer under /api/v1 the browser gets, any page and origin: the Worker's API (the same
 * rule as the e2e `apiClient`). Static assets, the SPA's routes, the OAuth callback page and the
 * emulator are not the API. */
const isApi = (url) => new URL(url).pathname.startsWith('/api/v1/');

/** The answer as reports name it. */
function named(response) {
  const { pathname, search } = new URL(response.url());
  return `${response.request().method()} ${pathname}${search} ${response.status()}`;
}

/** The API answers that do not match the document, of every browser of this file, until a test
 * reports them; and the checks still reading a body, each with its answer. */
const violations = [];
const reading = new Map();
let testRunning = false;
/** How long a body the browser is still receiving may take to end once a test asks. */
const BODY_MS = 15_000;

/** When every pending check has ended; one whose body has not within BODY_MS is a violation. */
async function settled() {
  const end = Date.now() + BODY_MS;
  while (reading.size > 0) {
    const left = end - Date.now();
    if (left <= 0) {
      for (const answer of reading.values()) violations.push(`${answer}: its body did not end within ${BODY_MS / 1000} s`);
      reading.clear();
      return;
    }
    await Promise.race([Promise.all(reading.keys()), new Promise((r) => setTimeout(r, left).unref())]);
  }
}

/** The violations so far, removed from the report: for a test that causes one on purpose. */
export async function takeViolations() {
  await settled();
  return violations.splice(0);
}

// Each test fails with the violations that happened since the last one ended (its own, and its
// file's `before` for the first): checked after the file's afterEach hooks, so their traffic counts
// and their cleanup runs first. A test that failed already keeps its own error and gets them as
// diagnostics.
beforeEach((t) => {
  testRunning = true;
  t.after(async () => {
    testRunning = false;
    const found = await takeViolations();
    if (found.length === 0) return;
    if (!t.passed) {
      for (const v of found) t.diagnostic(v);
      return;
    }
    throw new Error(`${found.length} API answer(s) the browser got do not match host/openapi.json:\n${found.join('\n')}`);
  });
});

/** Checks the API answer `response` (`answer` names it) to a request of the page document `doc`
 * (see `documents`); records in `answers` what it checked or skipped and why, and in `violations`
 * what does not match. Never throws (it runs in an event handler): what it cannot check it says. */
async function checkResponse(response, answer, doc, answers) {
  // Asked for at once, before a navigation can make the browser drop it.
  const body = response.body().then((bytes) => ({ text: bytes.toString('utf8') }), (error) => ({ error }));
  const method = response.request().method();
  const { pathname, search } = new URL(response.url());
  const status = response.status();
  const type = response.headers()['content-type'] ?? '';
  if (!/^application\/json\b/.test(type)) {
    answers.skipped.push({ answer, reason: `not JSON (${type || 'no content-type'})` });
    return;
  }
  // A request cut off after its headers fails ('requestfailed' records it) or, when its page
  // navigated away, may never end at all.
  const ended = await Promise.race([response.finished().then((failed) => (failed ? 'failed' : 'whole')), doc.left]);
  if (ended === 'failed') return;
  // The browser also drops the bodies of a document it left.
  const { text, error } = ended === 'whole' ? await body : {};
  if (ended === 'left' || (error && doc.gone)) {
    answers.skipped.push({ answer, reason: 'its page navigated away before the body was read' });
    return;
  }
  if (error) {
    violations.push(`${answer}: the browser got it whole but its body cannot be read here (${error.message})`);
    return;
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    violations.push(`${answer}: says ${type} but is not JSON: ${text.slice(0, 200)}`);
    return;
  }
  try {
    checkAnswer(method, pathname + search, status, json);
    answers.checked.push(answer);
  } catch (e) {
    violations.push(e.message);
  }
}

/** The documents of `page`, one after the other: `current()` is the one shown now, whose `left`
 * resolves to 'left' and `gone` turns true when another replaces it or the page closes. The
 * browser's own Page.frameNavigated (CDP) says when: it fires for a new document of the main
 * frame, not for the SPA's history changes, which Playwright's 'framenavigated' also reports. */
function documents(context, page) {
  let doc = null;
  const next = () => {
    doc?.leave();
    const created = { gone: false };
    created.left = new Promise((r) => {
      created.leave = () => { created.gone = true; r('left'); };
    });
    doc = created;
  };
  next();
  page.on('close', () => doc.leave());
  const ready = context.newCDPSession(page).then(async (cdp) => {
    cdp.on('Page.frameNavigated', ({ frame }) => { if (!frame.parentId) next(); });
    await cdp.send('Page.enable');
  });
  return { current: () => doc, ready };
}

/** A new browser (its own cookie jar); `errors` collects page errors and CSP violations; `answers`
 * the API answers checked against host/openapi.json, and those skipped with the reason (requests
 * that failed or were aborted, by a test's route or a navigation, have no answer to check). */
export async function launch({ viewport = { width: 1280, height: 900 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'azconn-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(20000);
  const answers = { checked: [], skipped: [] };
  const pages = new WeakMap();
  const watch = (p) => pages.set(p, documents(context, p));
  context.pages().forEach(watch);
  context.on('page', watch);
  // The document a request is sent from, taken when it is sent: its answer may come after the
  // page has moved on.
  const sentFrom = new WeakMap();
  context.on('request', (request) => {
    if (isApi(request.url())) sentFrom.set(request, pages.get(request.frame().page()).current());
  });
  context.on('response', (response) => {
    if (!isApi(response.url())) return;
    const answer = named(response);
    const check = checkResponse(response, answer, sentFrom.get(response.request()), answers)
      .catch((e) => { violations.push(`checking ${answer}: ${e.stack}`); })
      .finally(() => reading.delete(check));
    reading.set(check, answer);
  });
  context.on('requestfailed', (request) => {
    if (!isApi(request.url())) return;
    const { pathname, search } = new URL(request.url());
    answers.skipped.push({ answer: `${request.method()} ${pathname}${search}`, reason: `failed: ${request.failure()?.errorText}` });
  });
  const errors = [];
  const page = context.pages()[0] ?? (await context.newPage());
  await pages.get(page).ready;
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(`csp: ${m.text()}`);
  });
  /** Reads the bodies still pending while the pages live. Violations then left are a test's to
   * report; outside one (a file's `after`), closing reports them. */
  const close = async () => {
    await settled();
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    if (!testRunning && violations.length > 0) {
      throw new Error(`API answers the browser got do not match host/openapi.json:\n${(await takeViolations()).join('\n')}`);
    }
  };
  return { context, page, errors, answers, close };
}

/** The page, or the open dialog whole (a tall viewport, so nothing is cut by its scroll). */
export async function shot(page, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  const dialog = page.getByRole('dialog');
  if ((await dialog.count()) > 0) {
    const size = page.viewportSize();
    await page.setViewportSize({ width: size.width, height: 2000 });
    await dialog.screenshot({ path });
    await page.setViewportSize(size);
    return;
  }
  await page.screenshot({ path, fullPage: true });
}

/** Signs in on the UI's sign-in page and lands on App Connections. */
export async function signInUi(page, base, token) {
  await page.goto(`${base}/organization/app-connections`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/organization\/app-connections$/);
  await page.getByRole('heading', { name: 'App Connections' }).waitFor();
}

/** Opens Add Connection and picks the connection type and method. */
export async function openForm(page, typeName, methodName) {
  await page.getByRole('button', { name: 'Add Connection' }).click();
  await page.getByRole('dialog').getByRole('button', { name: new RegExp(`^${typeName}`) }).click();
  await page.getByRole('radio', { name: new RegExp(`^${methodName}`) }).check();
}

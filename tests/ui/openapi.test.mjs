// The UI harness checks every API answer the browser gets against host/openapi.json
// (tests/ui/browser.mjs): an answer a route breaks is reported with its method, path, status and
// what the schema says; a test that leaves one unreported fails with it (in a child `node --test`);
// a request without an answer and an answer that is not JSON are listed as skipped, with why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, setup } from '../e2e/harness.mjs';
import { launch, signInUi, takeViolations } from './browser.mjs';

let env;
let org;
let b;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-openapi');
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

after(async () => {
  await b?.close();
  await env?.stop();
});

const SESSION = (u) => u.pathname === '/api/v1/session';

describe("the browser's API answers", () => {
  test('an answer that breaks the document is reported: method, path, status and what is wrong', async () => {
    let broken = 0;
    await b.page.route(SESSION, async (route) => {
      const response = await route.fetch();
      broken++;
      await route.fulfill({ response, json: { ...(await response.json()), organizationName: 7 } });
    });
    try {
      await b.page.reload();
      await b.page.getByRole('heading', { name: 'App Connections' }).waitFor();
    } finally {
      await b.page.unroute(SESSION);
    }
    assert.ok(broken > 0, 'the page read its session');
    const found = await takeViolations();
    assert.equal(found.length, broken, found.join('\n'));
    for (const v of found) {
      assert.equal(v, `OpenAPI: GET /api/v1/session 200 does not match host/openapi.json: data/organizationName must be string,null\n`
        + JSON.stringify({ organizationId: org.id, organizationName: 7 }));
    }
    // The same page unbroken: every answer checked, none reported.
    const from = b.answers.checked.length;
    await b.page.reload();
    await b.page.getByRole('heading', { name: 'App Connections' }).waitFor();
    assert.deepEqual(await takeViolations(), []);
    assert.ok(b.answers.checked.slice(from).includes('GET /api/v1/session 200'), b.answers.checked.join('\n'));
    assert.deepEqual(b.errors, []);
  });

  test('a request without an answer and an answer that is not JSON are skipped, saying why', async () => {
    const HEALTH = (u) => u.pathname === '/api/v1/health' && u.search !== '';
    await b.page.route(HEALTH, (route) => (new URL(route.request().url()).search === '?answer=none'
      ? route.abort('failed')
      : route.fulfill({ contentType: 'text/plain', body: 'ok' })));
    const skipped = b.answers.skipped.length;
    const checked = b.answers.checked.length;
    try {
      const got = await b.page.evaluate(() => Promise.all([
        fetch('/api/v1/health?answer=text').then((r) => r.text()),
        fetch('/api/v1/health?answer=none').then(() => 'answered', () => 'failed'),
        fetch('/api/v1/health').then((r) => r.json()),
      ]));
      assert.deepEqual(got, ['ok', 'failed', { ok: true }]);
    } finally {
      await b.page.unroute(HEALTH);
    }
    assert.deepEqual(await takeViolations(), []);
    // Playwright's events may trail the page's promises: bounded poll.
    for (let i = 0; i < 50 && (b.answers.skipped.length < skipped + 2 || !b.answers.checked.slice(checked).some((a) => a.includes('/health'))); i++) await b.page.waitForTimeout(100);
    assert.deepEqual(b.answers.skipped.slice(skipped).sort((x, y) => x.answer.localeCompare(y.answer)), [
      { answer: 'GET /api/v1/health?answer=none', reason: 'failed: net::ERR_FAILED' },
      { answer: 'GET /api/v1/health?answer=text 200', reason: 'not JSON (text/plain)' },
    ]);
    assert.deepEqual(b.answers.checked.slice(checked).filter((a) => a.includes('/health')), ['GET /api/v1/health 200']);
    assert.deepEqual(b.errors, []);
  });

  test('a violation left unreported fails its test; one that failed already gets it as a diagnostic; after the tests, closing the browser fails', async () => {
    const fixture = join(ROOT, 'tests/ui/fixtures/unreported-violation.mjs');
    const { NODE_TEST_CONTEXT: _, ...childEnv } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', fixture], { cwd: ROOT, env: childEnv });
    let tap = '';
    child.stdout.on('data', (d) => { tap += d; });
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 1, tap);
    const results = [...tap.matchAll(/^(not ok|ok) \d+ - (.*)\n {2}---\n([^]*?)\n {2}\.\.\.\n((?:# .*\n)*)/gm)]
      .map(([, ok, name, yaml, diagnostics]) => ({
        ok: ok === 'ok', name, failureType: yaml.match(/failureType: '(\w+)'/)?.[1], yaml, diagnostics: diagnostics.trimEnd(),
      }));
    assert.deepEqual(results.map(({ ok, name, failureType }) => ({ ok, name, failureType })), [
      { ok: false, name: 'passes but for the answer', failureType: 'hookFailed' },
      { ok: false, name: 'fails on its own', failureType: 'testCodeFailure' },
      { ok: false, name: fixture, failureType: 'hookFailed' },
    ], tap);
    const violation = 'OpenAPI: GET /api/v1/health 200 does not match host/openapi.json: data/ok must be boolean';
    const [first, second, file] = results;
    assert.ok(first.yaml.includes(`error: |-\n    1 API answer(s) the browser got do not match host/openapi.json:\n    ${violation}\n    {"ok":"yes"}`), first.yaml);
    assert.ok(second.yaml.includes("error: 'its own failure'"), second.yaml);
    assert.equal(second.diagnostics, `# ${violation}\\\\n{"ok":"yes"}`);
    assert.ok(file.yaml.includes(`error: |-\n    API answers the browser got do not match host/openapi.json:\n    ${violation}\n    {"ok":"yes"}`), file.yaml);
  });
});

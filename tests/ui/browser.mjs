// Shared by the UI journeys: Debian chromium through playwright-core (a fresh profile per
// launch, removed when it closes), sign-in through the UI, and a screenshot per journey under test-artifacts/ui/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../e2e/harness.mjs';

export const ARTIFACTS = join(ROOT, 'test-artifacts/ui');
mkdirSync(ARTIFACTS, { recursive: true });

/** A new browser (its own cookie jar); `errors` collects page errors and CSP violations. */
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
  const errors = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(`csp: ${m.text()}`);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
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

// The bench's profile binds the package's own module and layout: when the glue's imports moved
// (values/*.js beside values.js) it could only say "Profile unavailable" in `make bench`. Runs in
// `make test-wasm`, after the package is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { profile } from './profile.mjs';

test('the profile binds the Node entry\'s module and samples an export', async () => {
  const root = join(import.meta.dirname, '..');
  const out = await profile(root, [{ name: 'clientId', fn: (a) => a.clientId('00001111-AAAA-2222-BBBB-3333CCCC4444') }]);
  assert.doesNotMatch(out, /Profile unavailable/);
  const row = out.split('\n').find((l) => l.startsWith('| clientId |'));
  assert.ok(row, out);
  // Core work is found by name: the names were kept and the export ran.
  assert.match(row, /ids::ClientId::parse \d+ %/);
});

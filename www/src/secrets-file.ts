// Desired secrets for a sync, from a JSON object or .env text (pasted or from a file).

export type ParsedSecrets = { ok: true; secrets: Record<string, string> } | { ok: false; error: string };

export function parseSecrets(text: string): ParsedSecrets {
  const t = text.trim();
  if (!t) return { ok: false, error: 'Add at least one secret (JSON object or NAME=value lines).' };
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'The JSON must be an object of NAME: "value".' };
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') return { ok: false, error: `The value of ${k} must be a string.` };
      out[k] = val;
    }
    return { ok: true, secrets: out };
  }
  const out: Record<string, string> = {};
  const lines = t.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.replace(/^export\s+/, '').match(/^([A-Za-z_][A-Za-z0-9_.\-/]*)\s*=\s*(.*)$/);
    if (!m) return { ok: false, error: `Line ${i + 1} is not NAME=value.` };
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    }
    out[m[1]!] = value;
  }
  if (Object.keys(out).length === 0) return { ok: false, error: 'No NAME=value line found.' };
  return { ok: true, secrets: out };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHORTCUTS } from '../../src/playground/people.js';

it('offers exactly the shortcuts manifest.yml declares, by type, callback id and name', () => {
  const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'manifest.yml'), 'utf8')) as {
    features: { shortcuts: { name: string; type: string; callback_id: string }[] };
  };
  const declared = manifest.features.shortcuts.map((s) => ({
    type: s.type,
    callbackId: s.callback_id,
    name: s.name,
  }));
  expect(SHORTCUTS.map((s) => ({ ...s }))).toEqual(declared);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SUBCOMMANDS } from '../src/commands/index.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

it('documents every /onsim subcommand in the README, with its usage and least role', () => {
  for (const c of SUBCOMMANDS) {
    const row = `| \`/onsim ${c.usage.replace(/\|/g, '\\|')}\` | ${c.role} |`;
    expect(readme, `README row for ${c.name}`).toContain(row);
  }
});

it('documents every environment variable the configuration reads', () => {
  const config = readFileSync(join(import.meta.dirname, '..', 'src', 'config.ts'), 'utf8');
  const example = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');
  const names = [...config.matchAll(/^\s{2}([A-Z][A-Z_]+):/gm)].map((m) => m[1]);
  expect(names.length).toBeGreaterThan(10);
  for (const name of names) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
});

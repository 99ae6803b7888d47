// package.json says only what npm honours, and names the Node versions the suite runs on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..');
const Pkg = z.looseObject({
  engines: z.object({ node: z.string() }),
  dependencies: z.record(z.string(), z.string()),
  devDependencies: z.record(z.string(), z.string()),
});
const raw = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
const pkg = Pkg.parse(raw);

/** `>=20.19.0 <21`-style ranges only: enough to check the running Node against. */
function satisfies(version: string, range: string): boolean {
  const num = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return range.split(/\s+/).every((part) => {
    const m = /^(>=|<|>|<=)?(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) throw new Error(`unsupported range part ${part}`);
    const c = cmp(num(version), num(m[2] ?? '0'));
    return { '>=': c >= 0, '>': c > 0, '<': c < 0, '<=': c <= 0 }[m[1] ?? '>='] ?? false;
  });
}

describe('package.json', () => {
  it('holds no settings npm ignores (npm runs install scripts itself; allowScripts is not one of its keys)', () => {
    expect(raw).not.toHaveProperty('allowScripts');
  });

  it('keeps test-only packages out of the production dependencies', () => {
    expect(pkg.dependencies).not.toHaveProperty('yaml');
    expect(pkg.devDependencies).toHaveProperty('yaml');
  });

  it('names the Node versions the suite runs on, and the container’s', () => {
    expect(satisfies(process.version, pkg.engines.node)).toBe(true);
    expect(satisfies('18.20.0', pkg.engines.node)).toBe(false);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const major = /FROM node:(\d+)/.exec(dockerfile)?.[1];
    expect(satisfies(`${major}.99.0`, pkg.engines.node)).toBe(true);
  });
});

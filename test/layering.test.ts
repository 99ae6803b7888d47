// The layering of src/, checked: a module may import only from its own layer or one below.
// README "How it fits together" describes the same table.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Lowest first. A top-level file is its own layer; a folder is one layer. */
const LAYERS: Record<string, number> = {
  config: 0,
  logger: 0,
  metrics: 1,
  background: 1,
  'read-limit': 1,
  store: 2,
  onsim: 2,
  slack: 3,
  /** The types every handler receives (AppDeps): it names the layers below it. */
  deps: 3,
  'slack-emulator': 3,
  health: 4,
  porting: 4,
  views: 5,
  guard: 6,
  qr: 7,
  follow: 7,
  commands: 8,
  home: 9,
  listeners: 10,
  /** Bolt middleware in front of every listener: refuses, shows the refusal views, audits. */
  'access-gate': 10,
  app: 11,
  playground: 11,
  index: 12,
};

/** Imports that break the table today, each with why it stands (keep this list short). */
const KNOWN: Record<string, string> = {};

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  const [first = ''] = rel.split(/[/\\]/);
  return first.replace(/\.ts$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Import {
  from: string;
  to: string;
}

function imports(): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
      const target = normalize(join(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')));
      out.push({ from: file, to: target });
    }
  }
  return out;
}

describe('layering of src/', () => {
  const all = imports();

  it('reads the imports of every layer', () => {
    expect(all.length).toBeGreaterThan(300);
    const seen = new Set(all.map((i) => layerOf(i.from)));
    expect([...seen].sort()).toEqual(
      Object.keys(LAYERS)
        .filter((l) => seen.has(l))
        .sort(),
    );
    for (const layer of ['commands', 'views', 'onsim', 'store', 'slack', 'guard'])
      expect(seen).toContain(layer);
  });

  it('gives every file of src/ a layer', () => {
    const unknown = sourceFiles(SRC)
      .map(layerOf)
      .filter((l) => !(l in LAYERS));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('has no layer importing one above it (views → commands, onsim → slack, store → anything but config and logger…)', () => {
    const upward: string[] = [];
    for (const i of all) {
      const from = layerOf(i.from);
      const to = layerOf(i.to);
      const below = (LAYERS[to] ?? Number.POSITIVE_INFINITY) <= (LAYERS[from] ?? -1);
      const key = `${relative(SRC, i.from).replace(/\\/g, '/')} -> ${to}`;
      if (!below && !(key in KNOWN)) upward.push(`${key} (${relative(SRC, i.to)})`);
    }
    expect(upward).toEqual([]);
  });

  it('keeps the store beneath everything but config and logger', () => {
    const wrong = all
      .filter((i) => layerOf(i.from) === 'store' && !['store', 'config', 'logger'].includes(layerOf(i.to)))
      .map((i) => `${relative(SRC, i.from)} -> ${relative(SRC, i.to)}`);
    expect(wrong).toEqual([]);
  });
});

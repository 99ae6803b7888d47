import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, startProdArgs } from '../scripts/build.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait.js';

const ROOT = join(import.meta.dirname, '..');

/** Every package a compiled file imports at run time (type-only imports are gone by then). */
function runtimeImports(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.js')) continue;
    const code = readFileSync(join(dir, entry), 'utf8');
    for (const m of code.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
    )) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      const name = spec.startsWith('@')
        ? spec.split('/').slice(0, 2).join('/')
        : (spec.split('/')[0] ?? spec);
      found.set(name, entry);
    }
  }
  return found;
}

describe('the production build', () => {
  let dir: string;
  let slack: FakeSlack;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    // Laid out as in the container: package.json, node_modules and the compiled dist/ side by side.
    dir = mkdtempSync(join(tmpdir(), 'onsim-bot-build-'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    build(join(dir, 'dist'));
    slack = await startFakeSlack();
  }, 180_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The compiled bot as start:prod runs it (`preload` imported first), with its output kept. */
  async function startCompiled(env: Record<string, string>, preload?: string) {
    const port = await freePort();
    const flags = startProdArgs();
    const main = flags.pop() ?? '';
    const proc = spawn(process.execPath, [...flags, ...(preload ? ['--import', preload] : []), main], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DOTENV_CONFIG_PATH: '/nonexistent',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'test-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const out: string[] = [];
    proc.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
    proc.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const answers = (path: string) =>
      waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => null))?.status === 200,
        { timeoutMs: 20_000, what: `the compiled bot to answer ${path} (output: ${out.join('')})` },
      );
    const stop = async () => {
      proc.kill('SIGTERM');
      return exited;
    };
    return { out, answers, stop };
  }

  it('imports nothing at run time but node built-ins and production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imports = runtimeImports(join(dir, 'dist'));
    expect(imports.size).toBeGreaterThan(3);
    const outside = [...imports].filter(([name]) => !(name in pkg.dependencies));
    expect(outside).toEqual([]);
  });

  it('starts with plain node (no tsx) as start:prod does, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const bot = await startCompiled({ DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` });
    for (const path of ['/healthz', '/readyz']) await bot.answers(path);
    expect(await bot.stop()).toBe(0);
    expect(bot.out.join('')).toContain('stopped cleanly');
  });

  it('loads neither pg, nor the ONSIM sandbox, nor qrcode when it runs on SQLite against a real ONSIM', async () => {
    // Every module the process imports, as the ESM loader resolves it (a hook in its own thread).
    const trace = join(dir, 'modules.txt');
    writeFileSync(
      join(dir, 'trace-hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(trace)}, resolved.url + '\\n');
  return resolved;
}`,
    );
    writeFileSync(
      join(dir, 'trace.mjs'),
      `import { register } from 'node:module';\nregister('./trace-hooks.mjs', import.meta.url);\n`,
    );
    const bot = await startCompiled(
      {
        ONSIM_API_KEY: 'live-key-for-this-test',
        ONSIM_BASE_URL: 'http://127.0.0.1:9',
        DATABASE_URL: `sqlite:${join(dir, 'real-onsim.db')}`,
      },
      './trace.mjs',
    );
    await bot.answers('/readyz');
    expect(await bot.stop()).toBe(0);
    const loaded = readFileSync(trace, 'utf8').split('\n');
    // The tracer sees what it should: the engine in use and the bot's own modules.
    expect(loaded.some((u) => u.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(loaded.some((u) => u.endsWith('/dist/index.js'))).toBe(true);
    expect(loaded.filter((u) => /\/node_modules\/(pg|pg-pool|qrcode|pngjs)\//.test(u))).toEqual([]);
    expect(loaded.filter((u) => u.includes('/dist/onsim/sandbox/'))).toEqual([]);
  });
});

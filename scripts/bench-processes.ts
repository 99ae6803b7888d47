// The bench's servers as whole processes, each alone in its event loop as in production: the bot
// under tsx (`npm start`), the compiled build (`npm run start:prod`, its node flags included), and a
// bare Bolt app (node's defaults).
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/support/ports.js';
import { build, startProdArgs } from './build.js';

export const ROOT = join(import.meta.dirname, '..');

export type Flavour = 'tsx' | 'compiled' | 'bare Bolt';

export interface Server {
  url: string;
  /** Spawn → first 200 from /healthz, ms. */
  startupMs: number;
  rssMiB(): number;
  stop(): Promise<void>;
}

export interface Build {
  dir: string;
  remove(): void;
}

/** `npm run build` into a directory laid out as in the container: package.json, node_modules, dist/. */
export function buildOnce(): Build {
  const dir = mkdtempSync(join(tmpdir(), 'onsim-bench-build-'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  build(join(dir, 'dist'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startServer(
  flavour: Flavour,
  built: Build,
  env: Record<string, string>,
): Promise<Server> {
  const port = await freePort();
  const [args, cwd] =
    flavour === 'tsx'
      ? [['--import', 'tsx', 'src/index.ts'], ROOT]
      : flavour === 'compiled'
        ? [startProdArgs(), built.dir]
        : [[join(ROOT, 'scripts/bare-bolt.mjs')], ROOT];
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.status === 200) break;
    if (child.exitCode !== null) throw new Error(`${flavour}: exited with ${child.exitCode} before /healthz`);
    await sleep(10);
  }
  const startupMs = performance.now() - start;
  return {
    url,
    startupMs,
    rssMiB: () => {
      const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      return Number(kib) / 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// Start-up and idle memory of the bot as a whole process, both ways it can run: `npm start`
// (TypeScript through tsx) and `npm run start:prod` (compiled dist/, plain node). Each run starts
// the bot in HTTP mode against a fake Slack and an ONSIM sandbox in this process, times spawn →
// first 200 from /healthz, then reads the bot's resident set size once it has sat idle.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { startSandbox } from '../src/onsim/sandbox/server.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { freePort } from '../test/support/ports.js';
import { build } from './build.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const IDLE_MS = 3_000;

export interface StartupFigures {
  /** Median spawn → /healthz 200, ms. */
  startupMs: number;
  /** Median resident set size after IDLE_MS idle, MiB. */
  idleRssMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

async function runOnce(args: string[], cwd: string, env: Record<string, string>): Promise<StartupFigures> {
  const port = await freePort();
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (res?.status === 200) break;
      if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode} before /healthz`);
      await sleep(10);
    }
    const startupMs = performance.now() - start;
    await sleep(IDLE_MS);
    return { startupMs, idleRssMiB: rssMiB(child.pid ?? 0) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Figures for `npm start` (tsx) and for the compiled build. */
export async function benchStartup(): Promise<{ tsx: StartupFigures; compiled: StartupFigures }> {
  const dir = mkdtempSync(join(tmpdir(), 'onsim-bench-startup-'));
  const slack = await startFakeSlack();
  const sandbox = await startSandbox({ port: 0, portAdvanceMs: null, logger: pino({ level: 'silent' }) });
  try {
    // Laid out as in the container: package.json, node_modules and dist/ side by side.
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    build(join(dir, 'dist'));
    const env = (db: string) => ({
      DOTENV_CONFIG_PATH: '/nonexistent',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-secret',
      SLACK_API_URL: slack.apiUrl,
      ONSIM_API_KEY: sandbox.apiKey,
      ONSIM_BASE_URL: sandbox.url,
      DATABASE_URL: `sqlite:${join(dir, db)}`,
      LOG_LEVEL: 'warn',
    });
    const measure = async (args: string[], cwd: string, db: string) => {
      const runs: StartupFigures[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(args, cwd, env(db)));
      return {
        startupMs: median(runs.map((r) => r.startupMs)),
        idleRssMiB: median(runs.map((r) => r.idleRssMiB)),
      };
    };
    const tsx = await measure(['--import', 'tsx', 'src/index.ts'], ROOT, 'tsx.db');
    const compiled = await measure(['dist/index.js'], dir, 'dist.db');
    return { tsx, compiled };
  } finally {
    await sandbox.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { tsx, compiled } = await benchStartup();
  const f = (x: StartupFigures) =>
    `start-up ${x.startupMs.toFixed(0)} ms · idle RSS ${x.idleRssMiB.toFixed(0)} MiB`;
  process.stdout.write(`npm start (tsx):       ${f(tsx)}\nstart:prod (compiled): ${f(compiled)}\n`);
}

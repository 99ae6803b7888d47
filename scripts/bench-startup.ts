// Start-up and idle memory as whole processes: `npm start` (TypeScript through tsx), the compiled
// build (`npm run start:prod`) and a bare Bolt app, each in HTTP mode against the emulator and the
// ONSIM sandbox in this process: spawn → first 200 from /healthz, then the resident set size
// once it has sat idle for a few seconds (medians of a few runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { startSandbox } from '../src/onsim/sandbox/server.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { type Build, type Flavour, startServer } from './bench-processes.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const IDLE_MS = 3_000;

export interface StartupFigures {
  /** Median spawn → /healthz 200, ms. */
  startupMs: number;
  /** Median resident set size after IDLE_MS idle, MiB. */
  idleRssMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function benchStartup(built: Build): Promise<Record<Flavour, StartupFigures>> {
  const dir = mkdtempSync(join(tmpdir(), 'onsim-bench-startup-'));
  const slack = await startFakeSlack();
  const sandbox = await startSandbox({ port: 0, portAdvanceMs: null, logger: pino({ level: 'silent' }) });
  try {
    const measure = async (flavour: Flavour): Promise<StartupFigures> => {
      const runs: StartupFigures[] = [];
      for (let i = 0; i < RUNS; i++) {
        const server = await startServer(flavour, built, {
          DOTENV_CONFIG_PATH: '/nonexistent',
          SLACK_BOT_TOKEN: 'xoxb-bench',
          SLACK_SIGNING_SECRET: 'bench-secret',
          SLACK_API_URL: slack.apiUrl,
          ONSIM_API_KEY: sandbox.apiKey,
          ONSIM_BASE_URL: sandbox.url,
          DATABASE_URL: `sqlite:${join(dir, `${flavour.replace(' ', '-')}.db`)}`,
          LOG_LEVEL: 'warn',
        });
        await sleep(IDLE_MS);
        runs.push({ startupMs: server.startupMs, idleRssMiB: server.rssMiB() });
        await server.stop();
      }
      return {
        startupMs: median(runs.map((r) => r.startupMs)),
        idleRssMiB: median(runs.map((r) => r.idleRssMiB)),
      };
    };
    return {
      tsx: await measure('tsx'),
      compiled: await measure('compiled'),
      'bare Bolt': await measure('bare Bolt'),
    };
  } finally {
    await sandbox.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

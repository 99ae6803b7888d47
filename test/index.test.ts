import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait.js';

const ROOT = join(import.meta.dirname, '..');

interface Run {
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

function startBot(env: Record<string, string>): Run {
  const child = // `node --import tsx` (as `npm start` runs it): signals reach the bot's own process.
    spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: ROOT,
      // A clean environment: nothing from the developer's shell or a local .env leaks in.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DOTENV_CONFIG_PATH: '/nonexistent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const out: string[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

let run: Run | undefined;
let slack: FakeSlack | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (run && run.child.exitCode === null) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  run = slack = dir = undefined;
});

describe('npm start', () => {
  it('exits with a friendly explanation of what to set when Slack credentials are missing and PLAYGROUND=0', async () => {
    run = startBot({ PLAYGROUND: '0' });
    expect(await run.exited).toBe(1);
    const text = run.out.join('');
    expect(text).toContain('SLACK_BOT_TOKEN');
    expect(text).toContain('SLACK_SIGNING_SECRET');
    expect(text).toContain('.env');
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('runs on the built-in sandbox without an ONSIM key, serves /healthz, and stops cleanly on SIGTERM', async () => {
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'onsim-bot-start-'));
    const port = await freePort();
    run = startBot({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      LOG_LEVEL: 'info',
    });
    const r = run;
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        return res?.status === 200 ? res : undefined;
      },
      { timeoutMs: 20_000, what: `the bot to answer /healthz (output: ${r.out.join('')})` },
    );
    expect(run.out.join('')).toMatch(/SANDBOX/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.out.join('')).toContain('stopped cleanly');
  });

  it('refuses to start the real ONSIM on a database the sandbox created, saying what to change', async () => {
    dir = mkdtempSync(join(tmpdir(), 'onsim-bot-start-'));
    const databaseUrl = `sqlite:${join(dir, 'bot.db')}`;
    const store = await openStore(databaseUrl, { onsim: { sandbox: true, baseUrl: 'http://127.0.0.1:1' } });
    await store.close();
    run = startBot({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-secret',
      ONSIM_API_KEY: 'real-key-123',
      ONSIM_BASE_URL: 'https://onsim.example',
      PORT: String(await freePort()),
      DATABASE_URL: databaseUrl,
    });
    expect(await run.exited).toBe(1);
    const text = run.out.join('');
    expect(text).toContain(
      'created for the built-in ONSIM sandbox, but this start uses the ONSIM at https://onsim.example',
    );
    expect(text).not.toContain('real-key-123');
    expect(text).not.toMatch(/\n\s+at /);
  });
});

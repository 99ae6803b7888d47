// Measures the porting watcher over a large port list: the sandbox holds 100,000 ports, and the
// watcher polls them into a real store (a SQLite file; also PostgreSQL when BENCH_POSTGRES_URL is
// set, in a scratch database created and dropped there). Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import pg from 'pg';
import pino from 'pino';
import { createOnsimClient } from '../src/onsim/client.js';
import { startSandbox } from '../src/onsim/sandbox/server.js';
import { createPortWatcher } from '../src/porting/watcher.js';
import { openStore } from '../src/store/index.js';

const PORTS = Number(process.env.BENCH_PORTS ?? 100_000);
const CHANGE_SHARE = 0.01;
const NEXT_STATUS: Record<string, string> = {
  INITIAL: 'IN PROGRESS',
  'IN PROGRESS': 'COMPLETE',
  COMPLETE: 'CLOSED',
  FAILED: 'CLOSED',
  CLOSED: 'INITIAL',
};

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
/** Peak resident set size of this process so far (resourceUsage reports KiB). */
const peakRss = () => mib(process.resourceUsage().maxRSS * 1024);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

async function benchEngine(engine: string, databaseUrl: string): Promise<void> {
  const logger = pino({ level: 'silent' });
  const sandbox = await startSandbox({ portAdvanceMs: null, logger });
  const store = await openStore(databaseUrl);
  try {
    sandbox.seedPorts(PORTS);
    const total = sandbox.state.ports.size;
    await store.addWatch({
      channelId: 'CALL',
      states: [],
      number: null,
      createdBy: 'UBENCH',
      createdAt: Date.now(),
    });
    await store.addWatch({
      channelId: 'CFAIL',
      states: ['FAILED'],
      number: null,
      createdBy: 'UBENCH',
      createdAt: Date.now(),
    });
    const watcher = createPortWatcher({
      store,
      onsim: createOnsimClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, logger, timeoutMs: 120_000 }),
      // Never called: the bench polls and does not deliver.
      slack: new WebClient('xoxb-bench', { slackApiUrl: 'http://127.0.0.1:9/api/' }),
      logger,
      pollSeconds: 60,
      instanceId: 'bench',
    });

    const line = (what: string, ms: number, detail: string) =>
      process.stdout.write(
        `  ${what.padEnd(26)} ${`${ms.toFixed(0)} ms`.padStart(9)}  ${detail} · peak RSS ${peakRss()}\n`,
      );
    process.stdout.write(`porting (${engine}): ${total.toLocaleString('en')} ports\n`);

    const baseline = await timed(() => watcher.pollOnce());
    line('baseline poll', baseline.ms, baseline.value.status);

    const unchanged = await timed(() => watcher.pollOnce());
    line(
      'poll, nothing changed',
      unchanged.ms,
      `${'events' in unchanged.value ? unchanged.value.events : 0} events`,
    );

    const ids = [...sandbox.state.ports.keys()];
    const changes = Math.round(total * CHANGE_SHARE);
    for (let i = 0; i < changes; i++) {
      const id = ids[Math.floor((i * ids.length) / changes)] ?? '';
      const port = sandbox.state.ports.get(id);
      if (port) sandbox.setPortStatus(id, NEXT_STATUS[port.status] ?? 'INITIAL');
    }
    const changed = await timed(() => watcher.pollOnce());
    const detail =
      changed.value.status === 'polled'
        ? `${changed.value.events} events → ${changed.value.enqueued} outbox items`
        : changed.value.status;
    line(`poll, ${(CHANGE_SHARE * 100).toFixed(0)}% changed`, changed.ms, detail);
    await store.releaseLock('porting-poller', 'bench');
  } finally {
    await store.close();
    await sandbox.close();
  }
}

/** A scratch database on the server of `url`, dropped afterwards. */
async function withScratchPostgres(url: string, fn: (scratchUrl: string) => Promise<void>): Promise<void> {
  const name = `onsim_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    const scratch = new URL(url);
    scratch.pathname = `/${name}`;
    await fn(scratch.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  }
}

export async function benchPorting(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'onsim-bench-porting-'));
  try {
    await benchEngine('SQLite', `sqlite:${join(dir, 'bench.db')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const postgresUrl = process.env.BENCH_POSTGRES_URL;
  if (postgresUrl) await withScratchPostgres(postgresUrl, (url) => benchEngine('PostgreSQL', url));
  else process.stdout.write('  (PostgreSQL skipped: set BENCH_POSTGRES_URL to measure it too)\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPorting();

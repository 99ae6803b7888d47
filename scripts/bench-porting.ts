// Measures the porting watcher over a large port list: the sandbox holds 100,000 ports, and the
// watcher polls them into a real store (a SQLite file; also PostgreSQL when BENCH_POSTGRES_URL is
// set, in a scratch database created and dropped there) and delivers the alerts to a fake Slack.
// 202 channels watch: one every change, one FAILED only, and 200 one number each, so that a poll
// where 1% of the ports change fans out into summaries and single alerts, as in real use. Each
// poll is split into ONSIM (HTTP, JSON, reading the ports), store reads, diff and fan-out, and the
// store write. Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import pg from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { createOnsimClient } from '../src/onsim/client.js';
import type { OnsimHttp } from '../src/onsim/http.js';
import { listPorts, Port } from '../src/onsim/porting.js';
import { type Sandbox, startSandbox } from '../src/onsim/sandbox/server.js';
import { createPortWatcher, type PollResult } from '../src/porting/watcher.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { startFakeSlack } from '../test/support/fake-slack.js';

const PORTS = Number(process.env.BENCH_PORTS ?? 100_000);
const CHANGE_SHARE = 0.01;
/** Channels that each follow one number, among the ports that change. */
const NUMBER_WATCHES = 200;
/** Every other changing port that is IN PROGRESS fails, so that the FAILED watch has work. */
const NEXT_STATUS: Record<string, [string, string]> = {
  INITIAL: ['IN PROGRESS', 'IN PROGRESS'],
  'IN PROGRESS': ['COMPLETE', 'FAILED'],
  COMPLETE: ['CLOSED', 'CLOSED'],
  FAILED: ['CLOSED', 'CLOSED'],
  CLOSED: ['INITIAL', 'INITIAL'],
};

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
/** Peak resident set size of this process so far (resourceUsage reports KiB). */
const peakRss = () => mib(process.resourceUsage().maxRSS * 1024);
const out = (text: string) => process.stdout.write(`${text}\n`);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

type Phase = 'onsim' | 'store reads' | 'thread look-ups' | 'store write';

/** Wall time spent in each phase (overlapping calls, e.g. PostgreSQL reads in parallel, count once). */
class PhaseClock {
  private spans = new Map<Phase, [number, number][]>();

  reset(): void {
    this.spans.clear();
  }

  wrap<A extends unknown[], R>(phase: Phase, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      const start = performance.now();
      try {
        return await fn(...args);
      } finally {
        const list = this.spans.get(phase) ?? [];
        list.push([start, performance.now()]);
        this.spans.set(phase, list);
      }
    };
  }

  ms(phase: Phase): number {
    const spans = [...(this.spans.get(phase) ?? [])].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = Number.NEGATIVE_INFINITY;
    for (const [s, e] of spans) {
      if (e <= end) continue;
      total += e - Math.max(s, end);
      end = e;
    }
    return total;
  }
}

/** The store, with the watcher's calls timed by phase. */
function timedStore(store: Store, clock: PhaseClock): Store {
  const reads = new Set<PropertyKey>(['getPortSnapshots', 'listWatches', 'getKv', 'tryLock']);
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (...args: unknown[]): Promise<unknown> => Promise.resolve(value.apply(target, args));
      if (reads.has(prop)) return clock.wrap('store reads', bound);
      if (prop === 'getAlertThread') return clock.wrap('thread look-ups', bound);
      if (prop === 'applyPortPoll') return clock.wrap('store write', bound);
      return bound;
    },
  });
}

/** What the ONSIM client spends on 100,000 ports: the wire and JSON, then reading the ports. */
async function benchClient(sandbox: Sandbox): Promise<void> {
  const start = performance.now();
  const res = await fetch(`${sandbox.url}/port/all/ALL`, {
    headers: { Authorization: `Bearer ${sandbox.apiKey}` },
  });
  const text = await res.text();
  const fetched = performance.now();
  const body: unknown = JSON.parse(text);
  const parsed = performance.now();
  const answering: OnsimHttp = async (req) => req.response.parse(body);
  const ports = await listPorts(answering, 'ALL');
  const read = performance.now();
  const list = z.object({ port: z.array(z.unknown()) }).parse(body).port;
  z.array(Port).parse(list);
  const bySchema = performance.now();
  out(
    `  ONSIM client, ${ports.length.toLocaleString('en')} ports (${mib(text.length)} of JSON): ` +
      `HTTP ${(fetched - start).toFixed(0)} ms · JSON.parse ${(parsed - fetched).toFixed(0)} ms · ` +
      `reading the ports ${(read - parsed).toFixed(0)} ms (zod alone: ${(bySchema - read).toFixed(0)} ms)`,
  );
}

async function benchEngine(engine: string, databaseUrl: string): Promise<void> {
  const logger = pino({ level: 'silent' });
  const sandbox = await startSandbox({ portAdvanceMs: null, logger });
  const slack = await startFakeSlack();
  const realStore = await openStore(databaseUrl);
  const clock = new PhaseClock();
  const store = timedStore(realStore, clock);
  try {
    sandbox.seedPorts(PORTS);
    const total = sandbox.state.ports.size;
    const ids = [...sandbox.state.ports.keys()];
    const changeCount = Math.round(total * CHANGE_SHARE);
    const changing = Array.from(
      { length: changeCount },
      (_, i) => ids[Math.floor((i * ids.length) / changeCount)] ?? '',
    );

    const watch = (channelId: string, states: string[], number: string | null) =>
      realStore.addWatch({ channelId, states, number, createdBy: 'UBENCH', createdAt: Date.now() });
    await watch('CALL', [], null);
    await watch('CFAIL', ['FAILED'], null);
    // Sandbox ports share a few test numbers: give the watched ones a number of their own.
    const step = Math.max(1, Math.floor(changing.length / NUMBER_WATCHES));
    for (let i = 0; i < NUMBER_WATCHES && i * step < changing.length; i++) {
      const port = sandbox.state.ports.get(changing[i * step] ?? '');
      if (!port) continue;
      port.portinNumber = `4479111${String(i).padStart(5, '0')}`;
      await watch(`CNUM${i}`, [], port.portinNumber);
    }

    const onsim = createOnsimClient({
      baseUrl: sandbox.url,
      apiKey: sandbox.apiKey,
      logger,
      timeoutMs: 120_000,
    });
    const watcher = createPortWatcher({
      store,
      onsim: {
        listPorts: clock.wrap('onsim', (state: Parameters<typeof onsim.listPorts>[0]) =>
          onsim.listPorts(state),
        ),
      },
      slack: new WebClient('xoxb-bench', {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logLevel: LogLevel.ERROR,
      }),
      logger,
      pollSeconds: 60,
      instanceId: 'bench',
      channelPaceMs: 0,
    });

    out(
      `porting (${engine}): ${total.toLocaleString('en')} ports, ${(await realStore.listWatches()).length} watches`,
    );
    if (engine === 'SQLite') await benchClient(sandbox);
    const line = (what: string, ms: number, detail: string) =>
      out(`  ${what.padEnd(30)} ${`${ms.toFixed(0)} ms`.padStart(9)}  ${detail} · peak RSS ${peakRss()}`);
    const phases = (ms: number) => {
      const onsimMs = clock.ms('onsim');
      const reads = clock.ms('store reads');
      const lookups = clock.ms('thread look-ups');
      const write = clock.ms('store write');
      const rest = ms - onsimMs - reads - lookups - write;
      out(
        `  ${''.padEnd(30)} ${''.padStart(9)}  ONSIM ${onsimMs.toFixed(0)} · store reads ${reads.toFixed(0)} · ` +
          `diff + fan-out ${rest.toFixed(0)} · thread look-ups ${lookups.toFixed(0)} · ` +
          `store write ${write.toFixed(0)} (ms)`,
      );
    };
    const describe = (result: PollResult) =>
      result.status === 'polled'
        ? `${result.events} events → ${result.enqueued} outbox items`
        : result.status === 'baseline'
          ? `baseline of ${result.ports} ports`
          : result.status;
    const poll = async (what: string) => {
      clock.reset();
      const result = await timed(() => watcher.pollOnce());
      line(what, result.ms, describe(result.value));
      phases(result.ms);
    };
    const deliverAll = async (what: string) => {
      const before = slack.calls.length;
      const result = await timed(async () => {
        let delivered = 0;
        for (let n = await watcher.deliverOnce(); n > 0; n = await watcher.deliverOnce()) delivered += n;
        return delivered;
      });
      const calls = slack.calls.slice(before);
      const count = (method: string) => calls.filter((c) => c.method === method).length;
      line(
        what,
        result.ms,
        `${result.value} items → ${count('chat.postMessage')} posts, ${count('chat.update')} updates`,
      );
    };
    const changeAll = () => {
      changing.forEach((id, i) => {
        const port = sandbox.state.ports.get(id);
        if (port) sandbox.setPortStatus(id, NEXT_STATUS[port.status]?.[i % 2] ?? 'INITIAL');
      });
    };

    await poll('baseline poll');
    await poll('poll, nothing changed');
    changeAll();
    await poll(`poll, ${(CHANGE_SHARE * 100).toFixed(0)}% changed`);
    await deliverAll('deliver those alerts');
    changeAll();
    await poll(`poll, same ${(CHANGE_SHARE * 100).toFixed(0)}% again`);
    await deliverAll('deliver (thread replies)');
    await realStore.releaseLock('porting-poller', 'bench');
  } finally {
    await realStore.close();
    await slack.close();
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
  else out('  (PostgreSQL skipped: set BENCH_POSTGRES_URL to measure it too)');
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPorting();

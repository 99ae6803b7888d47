// Measures the porting watcher over a large port list: the sandbox holds 100,000 ports, and the
// watcher polls them into a real store (a SQLite file, then PostgreSQL: BENCH_POSTGRES_URL, or a
// throwaway cluster started from the server binaries as the tests do) and delivers the alerts to
// a fake Slack. 202 channels watch: one every change, one FAILED only, and 200 one number each,
// so that a poll where 1% of the ports change fans out into summaries and single alerts.
// ONSIM and Slack run in one child process, the bot in another, so that the bot's process
// measures only the bot. A first process records the baseline; a second one starts as after a
// restart (it reads the snapshots back once), then polls, by turns with a third process that
// measures the floor (a bare fetch + JSON.parse of the same list). Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startThrowawayCluster } from '../test/support/pg-cluster.js';
import { startProdArgs } from './build.js';
import type { OnsimHandlers } from './porting-bench/onsim.js';
import type { PollerHandlers, PollFigures } from './porting-bench/poller.js';
import { type Child, start } from './porting-bench/rpc.js';

const PORTS = Number(process.env.BENCH_PORTS ?? 100_000);
const CHANGE_SHARE = 0.01;
/** Channels that each follow one number, among the ports that change. */
const NUMBER_WATCHES = 200;
/** Each measured poll runs this many times; the median is kept. */
const RUNS = 3;

export type Engine = 'SQLite' | 'PostgreSQL';

/** The porting figures of one engine, in milliseconds and MiB. */
export interface PortingFigures {
  engine: Engine;
  ports: number;
  watches: number;
  jsonMiB: number;
  baselineMs: number;
  /** The floor: fetching the list and JSON.parse, as a bare client does (median). */
  fetchParseMs: number;
  /** The same in CPU time of the bot's process (median). */
  fetchParseCpuMs: number;
  /** The first poll of a new process (a restart, a new lease holder): reads the snapshots once. */
  firstPollMs: number;
  /** A poll where nothing changed (median), and its CPU time. */
  unchangedMs: number;
  unchangedCpuMs: number;
  /** A poll where 1% of the ports changed (median), its CPU time, and what it found. */
  changedMs: number;
  changedCpuMs: number;
  changedEvents: number;
  changedItems: number;
  /** Delivering one such poll's alerts to the fake Slack (median). */
  deliverMs: number;
  /** Peak RSS of the polling process: its first poll, then the unchanged and changed polls. */
  peakRssMiB: number;
  /** Peak RSS of a process that only fetched and parsed the list (as many times as the floor). */
  fetchParsePeakRssMiB: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

async function benchEngine(
  engine: Engine,
  databaseUrl: string,
  print: (line: string) => void,
): Promise<PortingFigures> {
  const onsim = await start<OnsimHandlers>(new URL('./porting-bench/onsim.ts', import.meta.url));
  const pollers: Child<PollerHandlers>[] = [];
  try {
    const seeded = await onsim.call('seed', { ports: PORTS, share: CHANGE_SHARE, numbered: NUMBER_WATCHES });
    const target = { databaseUrl, onsimUrl: seeded.url, apiKey: seeded.apiKey, slackUrl: seeded.slackUrl };
    const detail = (what: string, figures: PollFigures) => {
      const p = figures.phases;
      const r = figures.result;
      const found =
        r.status === 'polled'
          ? `${r.events} events → ${r.enqueued} outbox items`
          : r.status === 'baseline'
            ? `baseline of ${r.ports} ports`
            : r.status;
      print(
        `  ${what.padEnd(28)} ${ms(figures.ms).padStart(9)}  (CPU ${ms(figures.cpuMs)}) ${found} · ONSIM + diff ${ms(p.onsim)} · store reads ` +
          `${ms(p['store reads'])} · fan-out ${ms(p['fan-out'])} · thread look-ups ` +
          `${ms(p['thread look-ups'])} · store write ${ms(p['store write'])}`,
      );
    };

    // The polling processes run with production's node flags (`npm run start:prod`); the bare
    // client with node's defaults, as the bare Bolt app does.
    const prodFlags = startProdArgs().slice(0, -1);
    // The first process records the baseline, then measures the floor on the same list.
    const first = await start<PollerHandlers>(
      new URL('./porting-bench/poller.ts', import.meta.url),
      {},
      prodFlags,
    );
    pollers.push(first);
    const watches = await first.call('open', { ...target, numbers: seeded.numbers });
    print(`porting (${engine}): ${seeded.total.toLocaleString('en')} ports, ${watches} watches`);
    const baseline = await first.call('poll');
    detail('baseline poll', baseline);
    await first.call('close');
    await first.stop();

    // The second process starts as after a restart. The floor is measured in a third, a bare
    // client's, so that the polling process's peak RSS is its own.
    const second = await start<PollerHandlers>(
      new URL('./porting-bench/poller.ts', import.meta.url),
      {},
      prodFlags,
    );
    pollers.push(second);
    const bare = await start<PollerHandlers>(new URL('./porting-bench/poller.ts', import.meta.url));
    pollers.push(bare);
    await bare.call('aim', { onsimUrl: seeded.url, apiKey: seeded.apiKey });
    await second.call('open', target);
    const firstPoll = await second.call('poll');
    detail('first poll after a restart', firstPoll);
    // The floor and the unchanged poll by turns, so that both meet the same load on the machine.
    const references = [];
    const unchanged: PollFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      references.push(await bare.call('reference'));
      unchanged.push(await second.call('poll'));
      detail('poll, nothing changed', unchanged[i]!);
    }
    const reference = references[references.length - 1]!;
    const fetchParseMs = median(references.map((r) => r.fetchParseMs));
    const fetchParseCpuMs = median(references.map((r) => r.fetchParseCpuMs));
    print(
      `  ${'bare fetch + JSON.parse'.padEnd(28)} ${ms(fetchParseMs).padStart(9)}  (CPU ${ms(fetchParseCpuMs)}) ` +
        `${reference.jsonMiB.toFixed(0)} MiB of JSON: HTTP ${ms(median(references.map((r) => r.httpMs)))} · ` +
        `JSON.parse ${ms(median(references.map((r) => r.parseMs)))} (then reading the ports ` +
        `${ms(median(references.map((r) => r.readMs)))})`,
    );

    const changed: PollFigures[] = [];
    const delivered: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await onsim.call('change');
      changed.push(await second.call('poll'));
      detail(`poll, ${(CHANGE_SHARE * 100).toFixed(0)}% changed`, changed[i]!);
      const before = await onsim.call('slackCalls');
      const delivery = await second.call('deliver');
      const after = await onsim.call('slackCalls');
      delivered.push(delivery.ms);
      print(
        `  ${'deliver those alerts'.padEnd(28)} ${ms(delivery.ms).padStart(9)}  ${delivery.items} items → ` +
          `${after.posts - before.posts} posts, ${after.updates - before.updates} updates`,
      );
    }
    const memory = await second.call('memory');
    const bareMemory = await bare.call('memory');
    await second.call('close');

    const last = changed[changed.length - 1]!.result;
    const figures: PortingFigures = {
      engine,
      ports: seeded.total,
      watches,
      jsonMiB: reference.jsonMiB,
      baselineMs: baseline.ms,
      fetchParseMs,
      fetchParseCpuMs,
      firstPollMs: firstPoll.ms,
      unchangedMs: median(unchanged.map((p) => p.ms)),
      unchangedCpuMs: median(unchanged.map((p) => p.cpuMs)),
      changedMs: median(changed.map((p) => p.ms)),
      changedCpuMs: median(changed.map((p) => p.cpuMs)),
      changedEvents: last.status === 'polled' ? last.events : 0,
      changedItems: last.status === 'polled' ? last.enqueued : 0,
      deliverMs: median(delivered),
      peakRssMiB: memory.peakRssMiB,
      fetchParsePeakRssMiB: bareMemory.peakRssMiB,
    };
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    print(
      `  → ÷ fetch + parse, wall (CPU): nothing changed ${ratio(figures.unchangedMs, fetchParseMs)} ` +
        `(${ratio(figures.unchangedCpuMs, fetchParseCpuMs)}) · 1% changed ${ratio(figures.changedMs, fetchParseMs)} ` +
        `(${ratio(figures.changedCpuMs, fetchParseCpuMs)}) · ` +
        `peak RSS of the polling process ${memory.peakRssMiB.toFixed(0)} MiB ` +
        `(of a bare fetch + JSON.parse process ${bareMemory.peakRssMiB.toFixed(0)} MiB)`,
    );
    return figures;
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
    await onsim.stop();
  }
}

/** A scratch database on the server of `url`, dropped afterwards. */
async function withScratchPostgres<T>(url: string, fn: (scratchUrl: string) => Promise<T>): Promise<T> {
  const name = `onsim_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    const scratch = new URL(url);
    scratch.pathname = `/${name}`;
    return await fn(scratch.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  }
}

/** PostgreSQL at BENCH_POSTGRES_URL, else a throwaway cluster; undefined when neither is there. */
async function withPostgres<T>(
  fn: (url: string) => Promise<T>,
  print: (line: string) => void,
): Promise<T | undefined> {
  const url = process.env.BENCH_POSTGRES_URL;
  if (url) return withScratchPostgres(url, fn);
  let cluster: Awaited<ReturnType<typeof startThrowawayCluster>>;
  try {
    cluster = await startThrowawayCluster();
  } catch (err) {
    print(`  (PostgreSQL skipped: ${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  try {
    return await withScratchPostgres(cluster.url, fn);
  } finally {
    await cluster.stop();
  }
}

/** Runs the porting bench on SQLite and PostgreSQL; prints the detail unless `quiet`. */
export async function benchPorting(opts: { quiet?: boolean } = {}): Promise<PortingFigures[]> {
  const print = (line: string) => {
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };
  const figures: PortingFigures[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'onsim-bench-porting-'));
  try {
    figures.push(await benchEngine('SQLite', `sqlite:${join(dir, 'bench.db')}`, print));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const postgres = await withPostgres((url) => benchEngine('PostgreSQL', url, print), print);
  if (postgres) figures.push(postgres);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPorting();

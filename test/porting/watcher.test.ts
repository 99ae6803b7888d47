// The watcher end to end: the real ONSIM sandbox over HTTP, the fake Slack Web API over HTTP
// through the real WebClient, and real stores (a SQLite file and a PostgreSQL database).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LogLevel, WebClient } from '@slack/web-api';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOnsimClient } from '../../src/onsim/client.js';
import { type Sandbox, startSandbox } from '../../src/onsim/sandbox/server.js';
import {
  createPortWatcher,
  DEFAULT_LEASE_SECONDS,
  type PortWatcher,
  type PortWatcherOptions,
} from '../../src/porting/watcher.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { type FakeSlack, type SlackMessage, startFakeSlack } from '../support/fake-slack.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const POLL_SECONDS = 60;
const INTERVAL = POLL_SECONDS * 1000;
/** Most tests run on a manual clock without the lease's own renewal timer: a lease of 3 intervals. */
const LOCK_TTL = 3 * INTERVAL;

const tempDirs: string[] = [];
const engines = [
  {
    engine: 'SQLite',
    databaseUrl: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'onsim-porting-'));
      tempDirs.push(dir);
      return `sqlite:${join(dir, 'bot.db')}`;
    },
  },
  { engine: 'PostgreSQL', databaseUrl: freshPostgresUrl },
];

let sandbox: Sandbox;
let slack: FakeSlack;

beforeAll(async () => {
  sandbox = await startSandbox({ portAdvanceMs: null });
  slack = await startFakeSlack();
});

afterAll(async () => {
  await sandbox?.close();
  await slack?.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(engines)('porting watcher on $engine', ({ databaseUrl }) => {
  let url: string;
  let clock: number;
  let stores: Store[];
  let logLines: Record<string, unknown>[];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const silent = pino({ level: 'silent' });
  const onsim = () =>
    createOnsimClient({
      baseUrl: sandbox.url,
      apiKey: sandbox.apiKey,
      logger: silent,
      timeoutMs: 2000,
      readRetry: { maxAttempts: 1 },
    });
  const slackClient = () =>
    new WebClient('xoxb-test', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });

  /** A store on the test database, as a separate process would open it. */
  async function openTestStore(): Promise<Store> {
    const store = await openStore(url);
    stores.push(store);
    return store;
  }

  async function startInstance(
    instanceId = 'A',
    extra: Partial<PortWatcherOptions> = {},
  ): Promise<{ store: Store; watcher: PortWatcher }> {
    const store = extra.store ?? (await openTestStore());
    const watcher = createPortWatcher({
      store,
      onsim: onsim(),
      slack: slackClient(),
      logger,
      pollSeconds: POLL_SECONDS,
      instanceId,
      now: () => clock,
      channelPaceMs: 0,
      leaseSeconds: LOCK_TTL / 1000,
      ...extra,
    });
    return { store, watcher };
  }

  async function watch(store: Store, channelId: string, states: string[] = [], number: string | null = null) {
    await store.addWatch({ channelId, states, number, createdBy: 'U1', createdAt: clock });
  }

  /** One poll interval later: poll, then deliver. */
  async function cycle(watcher: PortWatcher) {
    clock += INTERVAL;
    const result = await watcher.pollOnce();
    await watcher.deliverOnce();
    return result;
  }

  const posts = (channel: string): SlackMessage[] =>
    slack.messages().filter((m) => m.via === 'postMessage' && m.channel === channel);
  const postTexts = (channel: string): string[] => posts(channel).map((m) => m.text);
  const portPolls = () => sandbox.requestsTo('GET', '/port/all').length;

  beforeEach(async () => {
    sandbox.reset();
    slack.reset();
    url = await databaseUrl();
    clock = Date.UTC(2025, 5, 2, 9, 0, 0);
    stores = [];
    logLines = [];
  });

  afterEach(async () => {
    for (const store of stores) await store.close();
  });

  it('records a baseline on the first poll without alerting, then alerts only what changes', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');

    expect(await cycle(watcher)).toEqual({ status: 'baseline', ports: sandbox.state.ports.size });
    expect(await cycle(watcher)).toMatchObject({ status: 'polled', events: 0, enqueued: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);

    sandbox.setPortStatus('1001', 'IN PROGRESS');
    expect(await cycle(watcher)).toMatchObject({ status: 'polled', events: 1, enqueued: 1, late: null });
    expect(postTexts('C1')).toEqual([expect.stringContaining('(port 1001): INITIAL → IN PROGRESS')]);
  });

  it('alerts a new port and each of its transitions exactly once to each subscribed channel, never to others', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await watch(store, 'C2');
    await watch(store, 'CFAIL', ['FAILED']);
    await watch(store, 'COTHER', [], '447700900999');
    await cycle(watcher);

    const port = sandbox.addPort({ portinNumber: '447700900555' });
    await cycle(watcher);
    sandbox.setPortStatus(port.trID, 'IN PROGRESS');
    await cycle(watcher);
    sandbox.setPortStatus(port.trID, 'FAILED');
    await cycle(watcher);
    sandbox.removePort(port.trID);
    await cycle(watcher);
    await cycle(watcher);
    await cycle(watcher);

    for (const channel of ['C1', 'C2']) {
      expect(postTexts(channel)).toEqual([
        `Port of +44 7700 900555 (port ${port.trID}) is INITIAL`,
        'Port of +44 7700 900555: INITIAL → IN PROGRESS',
        '🚨 Port of +44 7700 900555: IN PROGRESS → FAILED',
        'Port of +44 7700 900555: FAILED → no longer listed by ONSIM',
      ]);
    }
    expect(postTexts('CFAIL')).toEqual([
      `🚨 Port of +44 7700 900555 (port ${port.trID}): IN PROGRESS → FAILED`,
    ]);
    expect(posts('COTHER')).toEqual([]);
    expect(portPolls()).toBe(7); // one ONSIM call per interval, however many channels watch
  });

  it('posts later changes as thread replies and updates the parent to the current status', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await cycle(watcher);
    const port = sandbox.addPort();
    await cycle(watcher);
    const [parent] = posts('C1');
    expect(parent?.threadTs).toBeUndefined();

    sandbox.setPortStatus(port.trID, 'IN PROGRESS');
    await cycle(watcher);
    sandbox.setPortStatus(port.trID, 'FAILED');
    await cycle(watcher);

    const [, inProgress, failed] = posts('C1');
    expect(inProgress?.threadTs).toBe(parent?.ts);
    expect(failed?.threadTs).toBe(parent?.ts);
    const reply = slack.callsTo('chat.postMessage').at(-1);
    expect(reply?.args.reply_broadcast).toBe('true'); // a FAILED reply also shows in the channel

    const updates = slack.messages().filter((m) => m.via === 'update');
    expect(updates.map((u) => [u.channel, u.ts])).toEqual([
      ['C1', parent?.ts],
      ['C1', parent?.ts],
    ]);
    expect(updates.at(-1)?.text).toContain('is FAILED');
    expect(JSON.stringify(updates.at(-1)?.blocks)).toContain(':rotating_light: *FAILED*');
    expect(await store.getAlertThread('C1', port.trID)).toEqual({
      channelId: 'C1',
      portId: port.trID,
      ts: parent?.ts,
    });
  });

  it('alerts a channel only on the states and the number it asked for', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'CDONE', ['COMPLETE', 'FAILED']);
    await watch(store, 'CNUM', [], '447700900111');
    await cycle(watcher);
    const mine = sandbox.addPort({ portinNumber: '447700900111' });
    const other = sandbox.addPort({ portinNumber: '447700900222' });
    await cycle(watcher);
    sandbox.setPortStatus(mine.trID, 'IN PROGRESS');
    sandbox.setPortStatus(other.trID, 'IN PROGRESS');
    await cycle(watcher);
    sandbox.setPortStatus(mine.trID, 'COMPLETE');
    sandbox.setPortStatus(other.trID, 'FAILED');
    await cycle(watcher);

    expect(postTexts('CDONE').sort()).toEqual([
      `Port of +44 7700 900111 (port ${mine.trID}): IN PROGRESS → COMPLETE`,
      `🚨 Port of +44 7700 900222 (port ${other.trID}): IN PROGRESS → FAILED`,
    ]);
    expect(postTexts('CNUM')).toEqual([
      `Port of +44 7700 900111 (port ${mine.trID}) is INITIAL`,
      'Port of +44 7700 900111: INITIAL → IN PROGRESS',
      'Port of +44 7700 900111: IN PROGRESS → COMPLETE',
    ]);
  });

  it('after a restart alerts the changes made while it was down once, as detected late, and repeats nothing', async () => {
    const first = await startInstance('A');
    await watch(first.store, 'C1');
    await cycle(first.watcher);
    const port = sandbox.addPort({ portinNumber: '447700900555' });
    await cycle(first.watcher);
    await first.watcher.stop();

    sandbox.setPortStatus(port.trID, 'IN PROGRESS');
    sandbox.setPortStatus(port.trID, 'COMPLETE');
    const added = sandbox.addPort({ portinNumber: '447700900666' });
    clock += 10 * INTERVAL;

    const second = await startInstance('B');
    expect(await cycle(second.watcher)).toMatchObject({ status: 'polled', events: 2, late: 'offline' });
    await cycle(second.watcher);
    await cycle(second.watcher);

    expect(postTexts('C1')).toEqual([
      `Port of +44 7700 900555 (port ${port.trID}) is INITIAL`,
      'Port of +44 7700 900555: INITIAL → COMPLETE (detected late: changed while the bot was offline)',
      `Port of +44 7700 900666 (port ${added.trID}) is INITIAL (detected late: changed while the bot was offline)`,
    ]);
    expect(JSON.stringify(posts('C1')[2]?.blocks)).toContain(
      'detected late: changed while the bot was offline',
    );
  });

  it('delivers once what a crashed instance detected but did not post', async () => {
    const crashed = await startInstance('A');
    await watch(crashed.store, 'C1');
    await watch(crashed.store, 'C2');
    await crashed.watcher.pollOnce();
    sandbox.addPort();
    clock += INTERVAL;
    await crashed.watcher.pollOnce(); // detected and enqueued, then the process dies: no delivery, no unlock

    const survivor = await startInstance('B');
    clock += INTERVAL;
    expect(await survivor.watcher.pollOnce()).toEqual({ status: 'skipped' });
    expect(await survivor.watcher.deliverOnce()).toBe(0);

    clock += LOCK_TTL;
    expect(await survivor.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 0 });
    expect(await survivor.watcher.deliverOnce()).toBe(2);
    await cycle(survivor.watcher);
    const restarted = await startInstance('B');
    await cycle(restarted.watcher);

    expect(posts('C1')).toHaveLength(1);
    expect(posts('C2')).toHaveLength(1);
  });

  it('retries through Slack answering 429 and 500, honouring Retry-After, and posts once', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await cycle(watcher);
    sandbox.addPort();
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    slack.failNext('chat.postMessage', { status: 500, times: 2 });

    await cycle(watcher);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    clock += 29_000;
    expect(await watcher.deliverOnce()).toBe(0);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1); // Retry-After not over yet

    clock += 1_000;
    expect(await watcher.deliverOnce()).toBe(0); // 500
    clock += 4_000;
    expect(await watcher.deliverOnce()).toBe(0); // 500 again
    clock += 8_000;
    expect(await watcher.deliverOnce()).toBe(1);
    await cycle(watcher);

    expect(slack.callsTo('chat.postMessage')).toHaveLength(4);
    expect(posts('C1')).toHaveLength(1);
    const said = logLines.map((l) => l.msg);
    expect(said.filter((m) => m === 'Slack is failing: all porting alert delivery paused')).toHaveLength(1);
    expect(said.filter((m) => m === 'Slack still failing: porting alert delivery stays paused')).toHaveLength(
      2,
    );
    expect(said.filter((m) => m === 'Slack works again: porting alert delivery resumed')).toHaveLength(1);
  });

  it('gives up an alert Slack refuses for good, and still alerts the other channels', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'CGONE');
    await watch(store, 'C1');
    await cycle(watcher);
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    sandbox.addPort();
    await cycle(watcher);
    await cycle(watcher);
    clock += 60 * INTERVAL;
    await watcher.deliverOnce();

    expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(['CGONE', 'C1']);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'porting alert given up: Slack refused it (kept in the dead letters)',
        reason: 'channel_not_found',
      }),
    );
    expect(await store.deadOutbox({ limit: 10 })).toMatchObject([
      { channelId: 'CGONE', lastError: 'channel_not_found', deliveredAt: null, ts: null },
    ]);
  });

  it('keeps every alert through 20 minutes of invalid_auth, charging none an attempt, and posts each once Slack works', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await watch(store, 'C2');
    await cycle(watcher);
    slack.failNext('chat.postMessage', { error: 'invalid_auth', times: 1_000 });
    sandbox.addPort();
    await cycle(watcher);
    for (let waited = 0; waited < 20 * 60_000; waited += 10_000) {
      clock += 10_000;
      expect(await watcher.deliverOnce()).toBe(0);
    }
    expect(await store.deadOutbox({ limit: 10 })).toEqual([]);
    const pending = await store.dueOutbox(clock + 10 * 60_000, 10);
    expect(pending.map((i) => [i.channelId, i.attempts, i.deliveredAt, i.deadAt])).toEqual([
      ['C1', 0, null, null],
      ['C2', 0, null, null],
    ]);
    expect(await store.getKv('porting.slack_paused')).toContain('invalid_auth');
    // Slack tried about once per pause (at most 5 min), not for every item or every run.
    expect(slack.callsTo('chat.postMessage').length).toBeLessThan(15);

    slack.reset(); // the token works again
    clock += 5 * 60_000;
    await watcher.deliverOnce();
    expect(posts('C1')).toHaveLength(1);
    expect(posts('C2')).toHaveLength(1);
    expect(await store.getKv('porting.slack_paused')).toBeNull();
    expect(await store.outboxDepth()).toBe(0);
    expect(
      logLines.filter((l) => l.msg === 'Slack is failing: all porting alert delivery paused'),
    ).toHaveLength(1);
  });

  it('never posts a later change of a port before an earlier one still being retried, so one parent only', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await cycle(watcher);
    const port = sandbox.addPort();
    slack.failNext('chat.postMessage', { error: 'mystery_error' }); // retried in 2 s
    await cycle(watcher);
    clock += 1_000;
    sandbox.setPortStatus(port.trID, 'IN PROGRESS');
    expect(await watcher.pollOnce()).toMatchObject({ status: 'polled', events: 1 });
    expect(await watcher.deliverOnce()).toBe(0); // the later change waits for the first
    clock += 1_000;
    expect(await watcher.deliverOnce()).toBe(1);
    expect(await watcher.deliverOnce()).toBe(1);

    const [parent, reply, ...more] = posts('C1');
    expect(parent?.threadTs).toBeUndefined();
    expect(parent?.text).toContain('is INITIAL');
    expect(reply?.threadTs).toBe(parent?.ts);
    expect(reply?.text).toContain('INITIAL → IN PROGRESS');
    expect(more).toEqual([]);
  });

  it('sends one paused and one resumed notice per channel however long ONSIM is down', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await watch(store, 'C1', ['FAILED']);
    await watch(store, 'C2', ['COMPLETE']);
    await cycle(watcher);

    // ONSIM's own words may name people: they go to the log, never into a channel.
    const words = 'Upstream store for jo.private@example.com (Jo Private) is rebuilding';
    sandbox.setFault({ status: 503, detail: words, match: { pathPrefix: '/port' } });
    const down = clock + INTERVAL;
    expect(await cycle(watcher)).toMatchObject({ status: 'unreachable', pausedNow: true });
    sandbox.setPortStatus('1004', 'COMPLETE');
    expect(await cycle(watcher)).toMatchObject({ status: 'unreachable', pausedNow: false });
    expect(await cycle(watcher)).toMatchObject({ status: 'unreachable', pausedNow: false });
    sandbox.setFault(null);
    expect(await cycle(watcher)).toMatchObject({ status: 'polled', events: 1, late: 'onsim_unreachable' });
    await cycle(watcher);

    const pausedText = `⏸️ Porting updates paused: ONSIM unreachable since ${new Date(down).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    for (const channel of ['C1', 'C2']) {
      const texts = postTexts(channel);
      expect(texts).toHaveLength(3);
      expect(texts[0]).toBe(pausedText);
      expect(texts[1]).toMatch(/^▶️ Porting updates resumed/);
      expect(texts[2]).toContain(
        'IN PROGRESS → COMPLETE (detected late: changed while ONSIM was unreachable)',
      );
    }
    expect(JSON.stringify(posts('C1')[0]?.blocks)).toContain(
      'Last error: port list: ONSIM answered 503 Service Unavailable',
    );
    expect(JSON.stringify(slack.messages())).not.toContain('jo.private');
    expect(JSON.stringify(logLines)).toContain('jo.private');
    expect(await store.getKv('porting.paused_since')).toBeNull();
  });

  it('takes an empty port list where many ports were known as a faulty answer: paused, no flood of alerts', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await cycle(watcher);
    const known = new Map(sandbox.state.ports);
    expect(known.size).toBeGreaterThan(5);

    sandbox.state.ports.clear();
    expect(await cycle(watcher)).toMatchObject({ status: 'unreachable', pausedNow: true });
    expect(await cycle(watcher)).toMatchObject({ status: 'unreachable', pausedNow: false });
    for (const [id, port] of known) sandbox.state.ports.set(id, port);
    sandbox.setPortStatus('1004', 'COMPLETE');
    expect(await cycle(watcher)).toMatchObject({ status: 'polled', events: 1 });
    await cycle(watcher);

    const texts = postTexts('C1');
    expect(texts).toEqual([
      expect.stringMatching(/^⏸️ Porting updates paused/),
      expect.stringMatching(/^▶️ Porting updates resumed/),
      expect.stringContaining('IN PROGRESS → COMPLETE'),
    ]);
    expect(JSON.stringify(posts('C1')[0]?.blocks)).toContain(
      `Last error: ONSIM listed no ports at all, where ${known.size} were known`,
    );
  });

  it('retries through Slack being unreachable, with backoff, and posts once it is back', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const port = typeof address === 'object' && address ? address.port : 0;
    const unreachable = new WebClient('xoxb-test', {
      slackApiUrl: `http://127.0.0.1:${port}/api/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    const offline = await startInstance('A', { slack: unreachable });
    await watch(offline.store, 'C1');
    await cycle(offline.watcher);
    sandbox.addPort();
    await cycle(offline.watcher); // detected; the post fails
    clock += 2_000;
    expect(await offline.watcher.deliverOnce()).toBe(0); // fails again: next try in 4 s

    // The network is back: the same instance, reaching Slack again.
    const online = await startInstance('A', { store: offline.store });
    expect(await online.watcher.deliverOnce()).toBe(0);
    clock += 4_000;
    expect(await online.watcher.deliverOnce()).toBe(1);
    await cycle(online.watcher);

    expect(posts('C1')).toHaveLength(1);
    const paused = logLines.filter((l) => String(l.msg).startsWith('Slack '));
    expect(paused.map((l) => [l.msg, String(l.reason).slice(0, 8)])).toEqual([
      ['Slack is failing: all porting alert delivery paused', 'network:'],
      ['Slack still failing: porting alert delivery stays paused', 'network:'],
      ['Slack works again: porting alert delivery resumed', 'network:'],
    ]);
  });

  it('updates the parent a channel has for a port whose change arrives in a summary, without a reply', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'C1');
    await cycle(watcher);
    const port = sandbox.addPort({ portinNumber: '447700900555' });
    await cycle(watcher);
    const [parent] = posts('C1');

    sandbox.setPortStatus(port.trID, 'IN PROGRESS');
    for (let i = 0; i < 5; i++) sandbox.addPort();
    await cycle(watcher);
    await cycle(watcher);

    expect(postTexts('C1')).toEqual([
      `Port of +44 7700 900555 (port ${port.trID}) is INITIAL`,
      expect.stringMatching(/^6 port changes: 5 INITIAL, 1 IN PROGRESS/),
    ]);
    const updates = slack.messages().filter((m) => m.via === 'update');
    expect(updates.map((u) => [u.channel, u.ts, u.text])).toEqual([
      ['C1', parent?.ts, `Port of +44 7700 900555 (port ${port.trID}) is IN PROGRESS`],
    ]);
  });

  it('keeps up to date the parent of a channel that follows only some states, posting nothing else', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'CFAIL', ['FAILED']);
    await watch(store, 'COTHER', [], '447700900999');
    await cycle(watcher);
    const port = sandbox.addPort({ portinNumber: '447700900555' });
    await cycle(watcher);
    sandbox.setPortStatus(port.trID, 'FAILED');
    await cycle(watcher);
    const [parent] = posts('CFAIL');
    sandbox.setPortStatus(port.trID, 'CLOSED');
    await cycle(watcher);
    sandbox.removePort(port.trID);
    await cycle(watcher);
    await cycle(watcher);

    expect(postTexts('CFAIL')).toEqual([`🚨 Port of +44 7700 900555 (port ${port.trID}): INITIAL → FAILED`]);
    const updates = slack.messages().filter((m) => m.via === 'update');
    expect(updates.map((u) => [u.channel, u.ts, u.text])).toEqual([
      ['CFAIL', parent?.ts, `Port of +44 7700 900555 (port ${port.trID}) is CLOSED`],
      [
        'CFAIL',
        parent?.ts,
        `Port of +44 7700 900555 (port ${port.trID}) is no longer listed by ONSIM; it was CLOSED`,
      ],
    ]);
    expect(slack.calls.filter((c) => c.args.channel === 'COTHER')).toEqual([]);
  });

  it('paces posts in one channel at one per second, other channels not held back', async () => {
    const { store, watcher } = await startInstance('A', { channelPaceMs: 1000 });
    await watch(store, 'C1');
    await watch(store, 'C2', [], '447700900111');
    await cycle(watcher);
    sandbox.addPort({ portinNumber: '447700900111' });
    sandbox.addPort();
    sandbox.addPort();

    clock += INTERVAL;
    await watcher.pollOnce();
    expect(await watcher.deliverOnce()).toBe(2);
    expect(await watcher.deliverOnce()).toBe(0);
    clock += 999;
    expect(await watcher.deliverOnce()).toBe(0);
    clock += 1;
    expect(await watcher.deliverOnce()).toBe(1);
    clock += 1000;
    expect(await watcher.deliverOnce()).toBe(1);
    expect(posts('C1')).toHaveLength(3);
    expect(posts('C2')).toHaveLength(1);
  });

  it('groups more than five changes for one channel in one poll into one summary', async () => {
    const { store, watcher } = await startInstance();
    await watch(store, 'CALL');
    await watch(store, 'CFAIL', ['FAILED']);
    await cycle(watcher);
    const changed = sandbox.advancePorts();
    expect(changed.length).toBeGreaterThan(5);

    await cycle(watcher);
    await cycle(watcher);

    expect(postTexts('CALL')).toEqual([
      expect.stringMatching(new RegExp(`^(🚨 )?${changed.length} port changes: `)),
    ]);
    const failed = changed.filter((p) => p.status === 'FAILED').length;
    expect(posts('CFAIL')).toHaveLength(failed > 5 ? 1 : failed);
  });

  it('lets exactly one of two instances poll, with no duplicate alert, until it dies and the other takes over', async () => {
    const a = await startInstance('A');
    const b = await startInstance('B');
    await watch(a.store, 'C1');
    expect((await cycle(a.watcher)).status).toBe('baseline');
    expect(await b.watcher.pollOnce()).toEqual({ status: 'skipped' });

    const port = sandbox.addPort();
    for (const status of ['IN PROGRESS', 'COMPLETE']) {
      clock += INTERVAL;
      expect((await b.watcher.pollOnce()).status).toBe('skipped');
      expect((await a.watcher.pollOnce()).status).toBe('polled');
      await Promise.all([a.watcher.deliverOnce(), b.watcher.deliverOnce()]);
      sandbox.setPortStatus(port.trID, status);
    }
    expect(portPolls()).toBe(3);

    // A dies without releasing the lock: B waits out the lease, then takes over.
    clock += LOCK_TTL - 1;
    expect(await b.watcher.pollOnce()).toEqual({ status: 'skipped' });
    clock += 1;
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 1 });
    await b.watcher.deliverOnce();
    expect(portPolls()).toBe(4);

    expect(postTexts('C1')).toEqual([
      expect.stringContaining('is INITIAL'),
      expect.stringContaining('INITIAL → IN PROGRESS'),
      expect.stringContaining('IN PROGRESS → COMPLETE'),
    ]);
  });

  it('reads the ports back from the store once per lease, not on every poll', async () => {
    const real = await openTestStore();
    let reads = 0;
    const store = new Proxy(real, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'forEachPortSnapshot') reads++;
        return value.bind(target);
      },
    });
    const { watcher } = await startInstance('A', { store });
    await watch(real, 'C1');
    await cycle(watcher);
    sandbox.setPortStatus('1001', 'IN PROGRESS');
    for (let i = 0; i < 3; i++) await cycle(watcher);
    expect(postTexts('C1')).toEqual([expect.stringContaining('INITIAL → IN PROGRESS')]);
    expect(reads).toBe(1);
  });

  it('reloads what another holder wrote when its lease comes back: nothing alerted twice', async () => {
    const a = await startInstance('A');
    const b = await startInstance('B');
    await watch(a.store, 'C1');
    expect((await cycle(a.watcher)).status).toBe('baseline');

    // A stalls past its lease; B takes over, sees two changes, and stops cleanly.
    clock += LOCK_TTL;
    sandbox.setPortStatus('1001', 'IN PROGRESS');
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 1 });
    clock += INTERVAL;
    sandbox.setPortStatus('1001', 'COMPLETE');
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 1 });
    await b.watcher.deliverOnce();
    await b.watcher.stop();

    // A takes the lease again: what it saw before B is out of date.
    expect(await cycle(a.watcher)).toMatchObject({ status: 'polled', events: 0, enqueued: 0 });
    expect(postTexts('C1')).toEqual([
      expect.stringContaining('INITIAL → IN PROGRESS'),
      expect.stringContaining('IN PROGRESS → COMPLETE'),
    ]);
  });

  it('by default lets another instance take over 30 s after the holder died, whatever the poll interval', async () => {
    const slowPolls = { pollSeconds: 600, leaseSeconds: undefined };
    const a = await startInstance('A', slowPolls);
    const b = await startInstance('B', slowPolls);
    expect((await a.watcher.pollOnce()).status).toBe('baseline');

    clock += DEFAULT_LEASE_SECONDS * 1000 - 1;
    expect(await b.watcher.pollOnce()).toEqual({ status: 'skipped' });
    clock += 1;
    expect((await b.watcher.pollOnce()).status).toBe('polled');
  });

  it('renews its lease on its own timer while running, however long between polls, and hands it over on stop', async () => {
    const real = await openTestStore();
    let renewals = 0;
    const counting = new Proxy(real, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target);
        if (prop !== 'tryLock') return bound;
        return (...args: unknown[]) => {
          renewals++;
          return bound(...args);
        };
      },
    });
    const lease = { leaseSeconds: 0.3, pollSeconds: 3600, deliverySeconds: 3600 };
    const a = await startInstance('A', { ...lease, store: counting });
    const b = await startInstance('B', lease);
    a.watcher.start();
    await waitFor(() => real.getKv('porting.baseline_at'), { what: 'the first poll' });

    clock += 100 * INTERVAL; // no poll or delivery of A in all that time
    const before = renewals;
    await waitFor(() => renewals > before + 1, { what: 'A to renew its lease at the new time' });
    expect(await b.watcher.pollOnce()).toEqual({ status: 'skipped' });

    await a.watcher.stop();
    expect((await b.watcher.pollOnce()).status).toBe('polled');
  });

  it('stops delivering once it has lost the lease, so it does not post what the new holder posts', async () => {
    const stalling = stallingStore(await openTestStore(), 'markOutboxDelivered');
    const a = await startInstance('A', { store: stalling.store });
    const b = await startInstance('B');
    await watch(b.store, 'C1');
    await watch(b.store, 'C2');
    await cycle(a.watcher);
    sandbox.addPort();
    clock += INTERVAL;
    await a.watcher.pollOnce();

    stalling.arm();
    const slowDelivery = a.watcher.deliverOnce();
    await stalling.held; // A posted to C1 and stalls before recording it
    clock += LOCK_TTL;
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 0 });
    await b.watcher.deliverOnce();
    stalling.release();

    expect(await slowDelivery).toBe(1);
    // C1 was posted by both: A's post was in flight (the documented window). C2 only by B.
    expect(posts('C2')).toHaveLength(1);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'porting lock lost while delivering: leaving the outbox to the new holder',
      }),
    );
  });

  /**
   * The same store, except that once armed, a call of `method` waits: `held` resolves when a call
   * is waiting, `release()` lets it go on. Stands for an instance that stalls at that point.
   */
  function stallingStore(real: Store, method: keyof Store) {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = () => {};
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let armed = false;
    const store = new Proxy(real, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target);
        if (prop !== method || !armed) return bound;
        return async (...args: unknown[]) => {
          arrived();
          await gate;
          return bound(...args);
        };
      },
    });
    const arm = () => {
      armed = true;
    };
    return { store, held, release, arm };
  }

  async function slowAndFastInstance(stallAt: 'applyPortPoll' | 'listWatches') {
    const stalling = stallingStore(await openTestStore(), stallAt);
    const a = await startInstance('A', { store: stalling.store });
    const b = await startInstance('B');
    await watch(b.store, 'C1');
    await watch(b.store, 'C2', ['INITIAL']);
    await cycle(a.watcher);
    sandbox.addPort();
    sandbox.setPortStatus('1004', 'COMPLETE');
    return { a, b, stalling };
  }

  it('enqueues each alert once when a poller loses its lease while writing and another polls the same changes', async () => {
    const { a, b, stalling } = await slowAndFastInstance('applyPortPoll');
    stalling.arm();
    clock += INTERVAL;
    const slowPoll = a.watcher.pollOnce();
    await stalling.held;
    clock += LOCK_TTL;
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 2, enqueued: 3 });
    stalling.release();
    expect(await slowPoll).toMatchObject({ status: 'polled', events: 2, enqueued: 3 });

    expect(await b.watcher.deliverOnce()).toBe(3);
    await cycle(b.watcher);
    expect(posts('C1')).toHaveLength(2);
    expect(posts('C2')).toHaveLength(1);
  });

  it('drops a slow poll whose lease another instance took over before it wrote anything', async () => {
    const { a, b, stalling } = await slowAndFastInstance('listWatches');
    stalling.arm();
    clock += INTERVAL;
    const slowPoll = a.watcher.pollOnce();
    await stalling.held;
    clock += LOCK_TTL;
    expect(await b.watcher.pollOnce()).toMatchObject({ status: 'polled', events: 2 });
    stalling.release();
    expect(await slowPoll).toEqual({ status: 'skipped' });

    await b.watcher.deliverOnce();
    expect(posts('C1')).toHaveLength(2);
    expect(posts('C2')).toHaveLength(1);
  });

  it('on stop waits for the poll in flight and releases the lock for another instance', async () => {
    const a = await startInstance('A');
    await watch(a.store, 'C1');
    sandbox.setLatency(200);
    a.watcher.start();
    await waitFor(() => portPolls() === 1, { what: 'the first poll to reach ONSIM' });
    await a.watcher.stop();
    expect(await a.store.getKv('porting.baseline_at')).toBe(String(clock));

    const b = await startInstance('B');
    expect((await b.watcher.pollOnce()).status).toBe('polled');
  });
});

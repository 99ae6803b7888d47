// The porting watcher: one instance (the holder of a lease lock in the store) polls ONSIM's port
// list, diffs it against the stored snapshots, and turns the events into outbox items for the
// channels that watch them, all in one store transaction. Delivery to Slack is delivery.ts.
// More than `summaryThreshold` events for one channel in one poll become a single summary
// message. Changes a channel is not alerted of (summarised, or outside its state filter) still
// bring the parent messages it already has for those ports up to date, without a reply.
// Any ONSIM failure but bad input (unreachable, 5xx, 429, 401, an unreadable answer, an empty
// list where ports were known) pauses the updates: one notice per watching channel, and one when
// ONSIM answers again.
//
// The lease: held for `leaseSeconds` (default 30) and renewed every sixth of that by its own
// timer, whatever the poll interval, so a holder that dies (crash, kill -9, lost host) is
// replaced within about 35 s and a restarted process waits no longer than that. A live holder
// keeps it however long a poll or a Slack call takes. Polls check the lease again before writing
// and delivery before every item, so a holder that stalled past its lease stops at once; the
// dedupe keys cover what it already wrote. A clean stop releases it for an immediate takeover.
// Instances compare their own clocks with the stored expiry: they must agree within seconds.
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { OnsimPorting } from '../onsim/client.js';
import { errorSummary, OnsimError, OnsimInputError } from '../onsim/errors.js';
import type { NewOutboxItem, PortWatch, Store } from '../store/types.js';
import type { LateReason } from './alerts.js';
import { createOutboxDelivery } from './delivery.js';
import { type PortDiff, type PortEvent, PortMemory, type PortReading } from './diff.js';
import { channelsConcerned } from './filters.js';
import { alertItem, noticeItem, parentItem, summaryItem } from './outbox.js';

export const LOCK_NAME = 'porting-poller';
export const DEFAULT_LEASE_SECONDS = 30;
/** An empty port list where more ports than this were known is taken as a faulty answer. */
export const EMPTY_LIST_DOUBT = 5;
export const KV = {
  baselineAt: 'porting.baseline_at',
  lastPollAt: 'porting.last_poll_at',
  pausedSince: 'porting.paused_since',
} as const;

export interface PortWatcherOptions {
  store: Store;
  onsim: { porting: Pick<OnsimPorting, 'stream'> };
  /** Should have `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true`: the outbox retries. */
  slack: WebClient;
  logger: Logger;
  pollSeconds: number;
  /** Unique per running process: the lock holder's name. */
  instanceId: string;
  /** How long the poller lease lasts unrenewed (default 30 s); renewed every sixth of it. */
  leaseSeconds?: number;
  now?: () => number;
  /** How often the outbox is delivered between polls (default 1 s). */
  deliverySeconds?: number;
  /** Least time between two posts in one channel (default 1000 ms, Slack's pace). */
  channelPaceMs?: number;
  /** More events than this for one channel in one poll are posted as one summary (default 5). */
  summaryThreshold?: number;
  /** Poll durations and delivery outcomes. */
  metrics?: Metrics;
}

export type PollResult =
  /** Another instance holds the poller lock. */
  | { status: 'skipped' }
  /** First poll on an empty store: the ports were recorded, nothing was alerted. */
  | { status: 'baseline'; ports: number }
  | { status: 'polled'; ports: number; events: number; enqueued: number; late: LateReason | null }
  /** ONSIM did not answer; `pausedNow` is true on the poll that paused the updates. */
  | { status: 'unreachable'; error: string; pausedNow: boolean };

export interface PortWatcher {
  /** Starts the poll and delivery timers; the first poll runs at once. */
  start(): void;
  /** Stops the timers, waits for work in flight, and releases the poller lock. */
  stop(): Promise<void>;
  pollOnce(): Promise<PollResult>;
  /** Delivers due outbox items (only while holding the lock); returns how many. */
  deliverOnce(): Promise<number>;
}

/** Serialises calls of `fn`: each waits for the previous one to settle. */
function serialised<T>(fn: () => Promise<T>): { run: () => Promise<T>; idle: () => Promise<void> } {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run: () => {
      const result = tail.then(fn);
      tail = result.catch(() => undefined);
      return result;
    },
    idle: async () => {
      await tail;
    },
  };
}

export function createPortWatcher(opts: PortWatcherOptions): PortWatcher {
  const { store, onsim, instanceId } = opts;
  const log = opts.logger.child({ name: 'porting' });
  const now = opts.now ?? Date.now;
  const intervalMs = opts.pollSeconds * 1000;
  const leaseMs = (opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const summaryThreshold = opts.summaryThreshold ?? 5;
  /** What the last poll saw; null until read from the store by a new lease holder. */
  let memory: PortMemory | null = null;
  /** When the lease runs out unrenewed; a renewal after that is a new lease. */
  let leaseUntil = Number.NEGATIVE_INFINITY;
  /** Counts the leases this instance took: another holder may have polled between two. */
  let lease = 0;
  async function holdLock(): Promise<boolean> {
    const at = now();
    const held = await store.tryLock(LOCK_NAME, instanceId, leaseMs, at);
    if (!held || at >= leaseUntil) {
      // Not held, or held anew: another instance may have written snapshots meanwhile.
      memory = null;
      lease++;
    }
    leaseUntil = held ? at + leaseMs : Number.NEGATIVE_INFINITY;
    return held;
  }
  /**
   * The lease again right before writing: if another instance took over meanwhile (this one
   * stalled), this poll's result is dropped and the new holder finds the same changes; dedupe
   * keys cover a takeover after this point.
   */
  async function lostLease(since: number): Promise<boolean> {
    if ((await holdLock()) && lease === since) return false;
    log.info('porting lock lost during the poll: leaving it to the new holder');
    return true;
  }
  /** Writes a poll's result; the memory takes it once the store has it, and is dropped on failure. */
  async function write(
    seen: PortMemory,
    diff: PortDiff,
    changes: Omit<Parameters<Store['applyPortPoll']>[0], 'upserts' | 'deletes'>,
  ): Promise<void> {
    try {
      await store.applyPortPoll({ ...changes, upserts: diff.upserts, deletes: diff.deletes });
    } catch (err) {
      memory = null;
      throw err;
    }
    if (memory === seen) seen.remember(diff);
  }
  /** What the store holds, read page by page into a fresh memory. */
  async function loadMemory(): Promise<PortMemory> {
    const loaded = new PortMemory();
    await store.forEachPortSnapshot((s) => loaded.add(s));
    return loaded;
  }
  const deliverDue = createOutboxDelivery({
    store,
    slack: opts.slack,
    logger: log,
    now,
    channelPaceMs: opts.channelPaceMs ?? 1000,
    stillHolding: holdLock,
    metrics: opts.metrics,
  });

  async function poll(): Promise<PollResult> {
    if (!(await holdLock())) return { status: 'skipped' };
    const since = lease;
    // The memory first: ONSIM's list is compared with it as it arrives.
    const seen = memory ?? (await loadMemory());
    if (lease !== since) return { status: 'skipped' }; // the memory read may predate a takeover
    memory = seen;
    let reading: PortReading;
    try {
      reading = await onsim.porting.stream('ALL', () => seen.begin());
    } catch (err) {
      if (err instanceof OnsimError && !(err instanceof OnsimInputError))
        return pause(errorSummary(err), err);
      throw err;
    }
    const at = now();
    const [watches, baselineAt, lastPollAt, pausedSince] = await Promise.all([
      store.listWatches(),
      store.getKv(KV.baselineAt),
      store.getKv(KV.lastPollAt),
      store.getKv(KV.pausedSince),
    ]);
    const listed = reading.count;
    // ONSIM keeps finished ports listed: all of them vanishing at once is a faulty answer (an
    // empty body, a gateway), not thousands of "no longer listed" alerts followed by as many "new".
    if (listed === 0 && seen.size > EMPTY_LIST_DOUBT) {
      return pause(`ONSIM listed no ports at all, where ${seen.size} were known`);
    }
    const resumed =
      pausedSince === null
        ? []
        : channelsOf(watches).map((c) =>
            noticeItem(c, { notice: 'resumed', since: Number(pausedSince), until: at }),
          );
    const kv = { [KV.lastPollAt]: String(at), [KV.pausedSince]: null };
    const logResumed = () => {
      if (pausedSince !== null)
        log.info({ pausedSince: Number(pausedSince) }, 'ONSIM answers again: porting updates resumed');
    };

    const diff = reading.end(at);
    if (baselineAt === null && seen.size === 0) {
      if (await lostLease(since)) return { status: 'skipped' };
      logResumed();
      await write(seen, diff, {
        outbox: resumed,
        kv: { ...kv, [KV.baselineAt]: String(at) },
        now: at,
      });
      log.info({ ports: listed }, 'porting baseline recorded: alerts start with the next change');
      return { status: 'baseline', ports: listed };
    }

    const late = lateReason(at, lastPollAt, pausedSince);
    const outbox = [...resumed, ...(await fanOut(diff.events, watches, late))];
    if (await lostLease(since)) return { status: 'skipped' };
    logResumed();
    await write(seen, diff, { outbox, kv, now: at });
    if (diff.events.length > 0) {
      log.info(
        { ports: listed, events: diff.events.length, enqueued: outbox.length, late },
        'port changes found',
      );
    }
    return {
      status: 'polled',
      ports: listed,
      events: diff.events.length,
      enqueued: outbox.length,
      late,
    };
  }

  /** Changes found after a gap of more than two intervals were not seen as they happened. */
  function lateReason(at: number, lastPollAt: string | null, pausedSince: string | null): LateReason | null {
    if (lastPollAt === null || at - Number(lastPollAt) <= 2 * intervalMs) return null;
    return pausedSince === null ? 'offline' : 'onsim_unreachable';
  }

  /**
   * Each event once per channel that has a matching watch; a flood in one channel becomes a
   * summary. Events a channel is not alerted of, summarised or outside its state filter but about
   * a port it follows, update the parent message it already has for that port (looked up here,
   * so that ports without one cost nothing further).
   */
  async function fanOut(
    events: readonly PortEvent[],
    watches: readonly PortWatch[],
    late: LateReason | null,
  ): Promise<NewOutboxItem[]> {
    const concerned = channelsConcerned(watches);
    const alerted = new Map<string, PortEvent[]>();
    const quiet: { channel: string; event: PortEvent }[] = [];
    for (const event of events) {
      for (const [channel, alert] of concerned(event)) {
        if (!alert) quiet.push({ channel, event });
        else if (alerted.has(channel)) alerted.get(channel)?.push(event);
        else alerted.set(channel, [event]);
      }
    }
    const items: NewOutboxItem[] = [];
    for (const [channel, list] of alerted) {
      if (list.length > summaryThreshold) {
        items.push(summaryItem(channel, list, late));
        quiet.push(...list.map((event) => ({ channel, event })));
      } else {
        items.push(...list.map((event) => alertItem(channel, event, late)));
      }
    }
    // A port that is new to ONSIM has no parent message anywhere yet.
    const candidates = quiet.filter(({ event }) => event.kind !== 'new');
    if (candidates.length === 0) return items;
    const threads = await store.alertThreadsOf([...new Set(candidates.map((q) => q.event.portId))]);
    const hasThread = new Set(threads.map((t) => `${t.channelId}\n${t.portId}`));
    for (const { channel, event } of candidates) {
      if (hasThread.has(`${channel}\n${event.portId}`)) items.push(parentItem(channel, event));
    }
    return items;
  }

  /** The first failure pauses updates and tells every watching channel once; later ones add nothing. */
  async function pause(reason: string, err?: unknown): Promise<PollResult> {
    if ((await store.getKv(KV.pausedSince)) !== null) {
      log.debug({ err, reason }, 'ONSIM still unreachable');
      return { status: 'unreachable', error: reason, pausedNow: false };
    }
    const since = now();
    const leaseAtStart = lease;
    const channels = channelsOf(await store.listWatches());
    if (await lostLease(leaseAtStart)) return { status: 'skipped' };
    await store.applyPortPoll({
      upserts: [],
      deletes: [],
      outbox: channels.map((c) => noticeItem(c, { notice: 'paused', since, reason })),
      kv: { [KV.pausedSince]: String(since) },
      now: since,
    });
    log.warn({ err, reason, channels: channels.length }, 'ONSIM unreachable: porting updates paused');
    return { status: 'unreachable', error: reason, pausedNow: true };
  }

  async function deliver(): Promise<number> {
    if (!(await holdLock())) return 0;
    return deliverDue();
  }

  /** A poll, timed by its result (a poll skipped for want of the lease is not one). */
  async function timedPoll(): Promise<PollResult> {
    const stop = opts.metrics?.portingPollSeconds.startTimer();
    let result: PollResult['status'] | 'error' = 'error';
    try {
      const polled = await poll();
      result = polled.status;
      return polled;
    } finally {
      if (result !== 'skipped') stop?.({ result });
    }
  }

  const polls = serialised(timedPoll);
  const deliveries = serialised(deliver);

  let stopped = true;
  interface Loop {
    timer?: NodeJS.Timeout;
    running?: Promise<void>;
  }
  const loops: Loop[] = [];

  /** Runs `tick` now and then every `everyMs` after the previous run ends; `tick` never rejects. */
  function every(everyMs: number, tick: () => Promise<void>) {
    const loop: Loop = {};
    const fire = () => {
      loop.timer = undefined;
      loop.running = tick().finally(() => {
        loop.running = undefined;
        if (!stopped) loop.timer = setTimeout(fire, everyMs);
      });
    };
    loop.timer = setTimeout(fire, 0);
    loops.push(loop);
  }

  const logged = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      log.error({ err }, `porting ${what} failed`);
    }
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      every(intervalMs, async () => {
        await logged('poll', polls.run);
        await logged('delivery', deliveries.run);
      });
      every((opts.deliverySeconds ?? 1) * 1000, () => logged('delivery', deliveries.run));
      every(leaseMs / 6, () => logged('lease renewal', holdLock));
    },
    async stop() {
      stopped = true;
      for (const loop of loops) clearTimeout(loop.timer);
      await Promise.all(loops.map((loop) => loop.running));
      loops.length = 0;
      await polls.idle();
      await deliveries.idle();
      await store.releaseLock(LOCK_NAME, instanceId);
      leaseUntil = Number.NEGATIVE_INFINITY; // another instance may take it now
      memory = null;
    },
    pollOnce: polls.run,
    deliverOnce: deliveries.run,
  };
}

const channelsOf = (watches: readonly PortWatch[]): string[] => [...new Set(watches.map((w) => w.channelId))];

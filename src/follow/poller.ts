// The one poller of everything the bot follows through (eSIM installs, data usage, QR images'
// QR_TTL_HOURS), with the porting watcher's discipline: one instance polls (the holder of a
// lease in the store, renewed before each item, so a stalled instance stops rather than post
// what the new holder posts);
// each tick makes a bounded number of ONSIM calls; a 429 pauses the whole poller for its
// Retry-After, 5xx and network failures back the item off exponentially; every outcome is
// claimed in the store before it is posted, so nothing is posted twice.
import type { WebClient } from '@slack/web-api';
import { WebAPIRateLimitedError } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { OnsimAccount } from '../onsim/client.js';
import { OnsimInputError, OnsimRateLimitedError } from '../onsim/errors.js';
import type { EsimFollowUp, Store, UsageWatch } from '../store/types.js';
import type { FollowContext } from './context.js';
import { stepEsimFollowUp } from './esim.js';
import { stepQrExpiry } from './qr-expiry.js';
import { stepUsageWatch } from './usage.js';

export const FOLLOW_LOCK = 'follow-poller';
const LEASE_MS = 30_000;
/** ONSIM calls per tick at most: a backlog is worked through over several ticks. */
export const CALLS_PER_TICK = 20;
const BACKOFF_MAX_MS = 60 * 60_000;

export interface FollowPollerOptions {
  store: Store;
  onsim: { account: Pick<OnsimAccount, 'getEsim' | 'get'> };
  /** Should have `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true`. */
  slack: WebClient;
  logger: Logger;
  /** Unique per running process: the lease holder's name. */
  instanceId: string;
  esimPollSeconds: number;
  esimHours: number;
  usagePollSeconds: number;
  now?: () => number;
  /** How often the poller looks for due work (default 5 s). */
  tickSeconds?: number;
}

export type TickResult =
  | { status: 'skipped' }
  | { status: 'paused'; until: number }
  | { status: 'ran'; esims: number; usage: number; qrs: number; failed: number };

export interface FollowPoller {
  start(): void;
  stop(): Promise<void>;
  /** One look at what is due (only while holding the lease). */
  tickOnce(): Promise<TickResult>;
}

export const followBackoffMs = (baseMs: number, failures: number): number =>
  Math.min(BACKOFF_MAX_MS, baseMs * 2 ** Math.min(failures, 16));

export function createFollowPoller(opts: FollowPollerOptions): FollowPoller {
  const { store, instanceId } = opts;
  const log = opts.logger.child({ name: 'follow' });
  const now = opts.now ?? Date.now;
  const ctx: FollowContext = {
    store,
    onsim: opts.onsim,
    slack: opts.slack,
    log,
    now,
    esimPollMs: opts.esimPollSeconds * 1000,
    esimHours: opts.esimHours,
    usagePollMs: opts.usagePollSeconds * 1000,
  };
  const holdLock = () => store.tryLock(FOLLOW_LOCK, instanceId, LEASE_MS, now());
  let pausedUntil = 0;

  /** A 429 from ONSIM or Slack pauses everything, for as long as it asks: true if it was one. */
  function pausedByRateLimit(err: unknown, about: Record<string, unknown>): boolean {
    if (!(err instanceof OnsimRateLimitedError || err instanceof WebAPIRateLimitedError)) return false;
    const seconds = err instanceof OnsimRateLimitedError ? err.retryAfterSeconds : err.retryAfter;
    pausedUntil = now() + Math.max(1, seconds ?? 30) * 1000;
    log.warn({ ...about, pausedUntil }, 'rate-limited: follow-ups paused');
    return true;
  }

  /** A 429 pauses everything; other failures back this one item off. */
  async function failed(
    err: unknown,
    item: { id: number; failures: number },
    kind: 'esim' | 'usage',
    baseMs: number,
  ) {
    if (pausedByRateLimit(err, { kind, id: item.id })) return 'stop' as const;
    const failures = item.failures + 1;
    const nextCheckAt = now() + followBackoffMs(Math.min(baseMs, 60_000), failures);
    log.warn({ err, kind, id: item.id, failures, nextCheckAt }, 'follow-up check failed: backing off');
    if (kind === 'esim') {
      const f = item as EsimFollowUp;
      await store.updateEsimFollowUp(f.id, f.status, { failures, nextCheckAt });
    } else {
      await store.updateUsageWatch(item.id, { failures, nextCheckAt });
    }
    // A bug (bad input) is not ONSIM's fault, but still must not spin: backed off like the rest.
    if (err instanceof OnsimInputError) log.error({ err, id: item.id }, 'follow-up cannot be checked');
    return 'next' as const;
  }

  async function tick(): Promise<TickResult> {
    if (now() < pausedUntil) return { status: 'paused', until: pausedUntil };
    if (!(await holdLock())) return { status: 'skipped' };
    const at = now();
    const [esims, watches, qrs] = await Promise.all([
      store.dueEsimFollowUps(at, CALLS_PER_TICK),
      store.dueUsageWatches(at, CALLS_PER_TICK),
      store.dueQrExpiries(at, CALLS_PER_TICK),
    ]);
    const work: ({ kind: 'esim'; item: EsimFollowUp } | { kind: 'usage'; item: UsageWatch })[] = [
      ...esims.map((item) => ({ kind: 'esim' as const, item })),
      ...watches.map((item) => ({ kind: 'usage' as const, item })),
    ].slice(0, CALLS_PER_TICK);
    const done = { esims: 0, usage: 0, qrs: 0, failed: 0 };
    for (const w of work) {
      if (!(await holdLock())) {
        log.info('follow-poller lease lost: leaving the rest to the new holder');
        break;
      }
      try {
        if (w.kind === 'esim') {
          await stepEsimFollowUp(ctx, w.item);
          done.esims++;
        } else {
          await stepUsageWatch(ctx, w.item);
          done.usage++;
        }
      } catch (err) {
        done.failed++;
        const base = w.kind === 'esim' ? ctx.esimPollMs : ctx.usagePollMs;
        if ((await failed(err, w.item, w.kind, base)) === 'stop')
          return { status: 'paused', until: pausedUntil };
      }
    }
    // QR images past their time: Slack calls only, not counted against ONSIM's budget.
    for (const q of qrs) {
      if (!(await holdLock())) break;
      try {
        await stepQrExpiry(ctx, q);
        done.qrs++;
      } catch (err) {
        done.failed++;
        if (pausedByRateLimit(err, { kind: 'qr', fileId: q.fileId }))
          return { status: 'paused', until: pausedUntil };
        log.error({ err, fileId: q.fileId }, 'QR expiry failed');
      }
    }
    return { status: 'ran', ...done };
  }

  let tail: Promise<unknown> = Promise.resolve();
  const tickOnce = (): Promise<TickResult> => {
    const result = tail.then(tick);
    tail = result.catch(() => undefined);
    return result;
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  const loop = () => {
    timer = undefined;
    tickOnce()
      .catch((err: unknown) => log.error({ err }, 'follow-up tick failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, (opts.tickSeconds ?? 5) * 1000);
      });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await tail;
      await store.releaseLock(FOLLOW_LOCK, instanceId);
    },
    tickOnce,
  };
}

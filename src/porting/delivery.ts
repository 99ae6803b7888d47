// Delivers the outbox to Slack, oldest first, in order within each channel:
// - at most one post per channel per `channelPaceMs` (Slack allows about one per second);
// - 429: the item waits Retry-After and the whole run stops (Slack limits per method and app);
// - 5xx and network errors: retried with exponential backoff (2 s doubling, at most 5 min), until
//   delivered; other `ok:false` answers get MAX_ATTEMPTS_UNKNOWN attempts;
// - refusals no retry cures (channel_not_found, not_in_channel, is_archived, invalid_blocks…)
//   are given up at once: marked delivered with the reason kept in lastError, and logged.
// A port alert updates the parent message first (idempotent), then posts the thread reply, so a
// retry never doubles a reply. A parent item only updates a parent message, if there is one.
// Before each item the poller lease is renewed (`stillHolding`): an instance that stalled and
// lost it stops rather than post what the new holder posts. Slack answering but the process
// dying before markOutboxDelivered is the one window left where a message can be posted twice.
import type { WebClient } from '@slack/web-api';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Metrics } from '../metrics.js';
import type { Message } from '../slack/message.js';
import type { OutboxItem, Store } from '../store/types.js';
import {
  pausedNotice,
  portChangeReply,
  portParentMessage,
  portSummaryMessage,
  resumedNotice,
} from './alerts.js';
import { AlertPayload, NoticePayload, OUTBOX_KINDS, ParentPayload, SummaryPayload } from './outbox.js';

const ITEMS_PER_CHANNEL = 5;

export interface DeliveryOptions {
  store: Store;
  slack: WebClient;
  logger: Logger;
  now: () => number;
  /** Least time between two posts in one channel (Slack allows about one per second). */
  channelPaceMs: number;
  /** Items read from the outbox per run. */
  batchSize?: number;
  /** Renews the poller lease; false when another instance holds it (then the run stops). */
  stillHolding?: () => Promise<boolean>;
  metrics?: Metrics;
}

/**
 * Slack errors that no retry will cure: the message is given up (marked delivered, with the
 * error kept in lastError) so one bad channel does not hold the others back.
 */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'channel_is_archived',
  'restricted_action',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
]);
/** Parent messages that can no longer be updated: a new parent is posted instead. */
const PARENT_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);
/** Other `ok:false` answers (e.g. invalid_auth, missing_scope) get this many attempts. */
export const MAX_ATTEMPTS_UNKNOWN = 10;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;

type Failure =
  | { kind: 'rate_limited'; retryAfterMs: number; reason: string }
  /** Slack or the network failed; retried until delivered. */
  | { kind: 'transient'; reason: string }
  /** Slack refused for a reason we do not know to be temporary: retried a bounded number of times. */
  | { kind: 'unknown'; reason: string }
  | { kind: 'permanent'; reason: string };

function failureOf(err: unknown): Failure {
  if (err instanceof WebAPIRateLimitedError) {
    return {
      kind: 'rate_limited',
      retryAfterMs: Math.max(1, err.retryAfter) * 1000,
      reason: 'rate limited (429)',
    };
  }
  if (err instanceof WebAPIHTTPError) return { kind: 'transient', reason: `HTTP ${err.statusCode}` };
  if (err instanceof WebAPIRequestError)
    return { kind: 'transient', reason: `network: ${err.original.message}` };
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    if (PERMANENT_ERRORS.has(code)) return { kind: 'permanent', reason: code };
    if (code === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 1000, reason: code };
    return { kind: 'unknown', reason: code };
  }
  if (err instanceof ZodError)
    return { kind: 'permanent', reason: `unreadable outbox payload: ${err.message}` };
  return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
}

export const backoffMs = (attempts: number): number =>
  Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 20));

const platformCode = (err: unknown): string | undefined =>
  err instanceof WebAPIPlatformError ? err.data.error : undefined;

export function createOutboxDelivery(opts: DeliveryOptions): () => Promise<number> {
  const { store, slack, now } = opts;
  const log = opts.logger;
  const batchSize = opts.batchSize ?? 100;
  const lastPostAt = new Map<string, number>();
  let slackBlockedUntil = 0;

  /** Posts to the channel, or into a thread (`broadcast` also shows the reply in the channel). */
  async function post(channel: string, message: Message, thread?: { ts: string; broadcast: boolean }) {
    const base = {
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    };
    const res = await slack.chat.postMessage(
      thread ? { ...base, thread_ts: thread.ts, reply_broadcast: thread.broadcast } : base,
    );
    lastPostAt.set(channel, now());
    if (!res.ts) throw new Error('chat.postMessage answered without a ts');
    return res.ts;
  }

  async function deliverAlert(item: OutboxItem): Promise<void> {
    const change = AlertPayload.parse(item.payload);
    const channel = item.channelId;
    let thread = await store.getAlertThread(channel, change.portId);
    if (thread) {
      // The parent first: updating is idempotent, so a failure here retries without a duplicate reply.
      try {
        const parent = portParentMessage(change.port, { gone: change.kind === 'gone' });
        await slack.chat.update({ channel, ts: thread.ts, text: parent.text, blocks: parent.blocks });
      } catch (err) {
        const code = platformCode(err);
        if (code === undefined || !PARENT_GONE.has(code)) throw err;
        log.info({ channel, portId: change.portId, code }, 'alert parent is gone: posting a new one');
        thread = null;
      }
    }
    if (thread) {
      const failed = change.kind === 'changed' && change.to?.toUpperCase() === 'FAILED';
      await post(channel, portChangeReply(change), { ts: thread.ts, broadcast: failed });
      return;
    }
    const ts = await post(channel, portParentMessage(change.port, { change, gone: change.kind === 'gone' }));
    await store.setAlertThread({ channelId: channel, portId: change.portId, ts });
  }

  /** Shows the port's current state in its parent message in the channel, if it has one. */
  async function deliverParent(item: OutboxItem): Promise<void> {
    const { portId, gone, port } = ParentPayload.parse(item.payload);
    const channel = item.channelId;
    const thread = await store.getAlertThread(channel, portId);
    if (!thread) return;
    const parent = portParentMessage(port, { gone });
    try {
      await slack.chat.update({ channel, ts: thread.ts, text: parent.text, blocks: parent.blocks });
    } catch (err) {
      const code = platformCode(err);
      if (code === undefined || !PARENT_GONE.has(code)) throw err;
      log.info({ channel, portId, code }, 'alert parent is gone: nothing to update');
    }
  }

  async function deliver(item: OutboxItem): Promise<void> {
    switch (item.kind) {
      case OUTBOX_KINDS.alert:
        return deliverAlert(item);
      case OUTBOX_KINDS.parent:
        return deliverParent(item);
      case OUTBOX_KINDS.summary: {
        const summary = SummaryPayload.parse(item.payload);
        await post(item.channelId, portSummaryMessage(summary.entries, summary.late));
        return;
      }
      case OUTBOX_KINDS.notice: {
        const notice = NoticePayload.parse(item.payload);
        const message =
          notice.notice === 'paused'
            ? pausedNotice(notice.since, notice.reason)
            : resumedNotice(notice.since, notice.until);
        await post(item.channelId, message);
        return;
      }
      default:
        throw new Error(`unknown outbox item kind '${item.kind}'`);
    }
  }

  async function recordFailure(item: OutboxItem, err: unknown): Promise<'stop' | 'skip_channel'> {
    const failure = failureOf(err);
    const at = now();
    const attempt = item.attempts + 1;
    const context = {
      outboxId: item.id,
      channel: item.channelId,
      kind: item.kind,
      attempt,
      reason: failure.reason,
    };
    const giveUp =
      failure.kind === 'permanent' || (failure.kind === 'unknown' && attempt >= MAX_ATTEMPTS_UNKNOWN);
    if (giveUp) {
      log.error(context, 'porting alert given up: Slack refused it');
      await store.markOutboxFailed(item.id, at, `gave up: ${failure.reason}`);
      await store.markOutboxDelivered(item.id, at);
      opts.metrics?.alerts.inc({ outcome: 'failed' });
      return 'skip_channel';
    }
    opts.metrics?.alerts.inc({ outcome: 'retry' });
    if (failure.kind === 'rate_limited') {
      slackBlockedUntil = at + failure.retryAfterMs;
      log.warn({ ...context, retryAfterMs: failure.retryAfterMs }, 'Slack rate-limited the porting alerts');
      await store.markOutboxFailed(item.id, slackBlockedUntil, failure.reason);
      return 'stop';
    }
    const delay = backoffMs(item.attempts);
    log.warn({ ...context, retryInMs: delay }, 'porting alert not delivered: will retry');
    await store.markOutboxFailed(item.id, at + delay, failure.reason);
    return 'skip_channel';
  }

  /** Delivers what is due; returns how many items were delivered. */
  return async function deliverDue(): Promise<number> {
    if (now() < slackBlockedUntil) return 0;
    // A few per channel: paced at one post per second, more would only wait, holding others back.
    const due = await store.dueOutbox(now(), batchSize, ITEMS_PER_CHANNEL);
    // A channel that must wait (pace, failure) keeps its later items too: order within a channel holds.
    const waiting = new Set<string>();
    let delivered = 0;
    for (const item of due) {
      if (waiting.has(item.channelId)) continue;
      const last = lastPostAt.get(item.channelId);
      if (last !== undefined && now() - last < opts.channelPaceMs) {
        waiting.add(item.channelId);
        continue;
      }
      if (opts.stillHolding && !(await opts.stillHolding())) {
        log.info('porting lock lost while delivering: leaving the outbox to the new holder');
        break;
      }
      try {
        await deliver(item);
      } catch (err) {
        if ((await recordFailure(item, err)) === 'stop') break;
        waiting.add(item.channelId);
        continue;
      }
      await store.markOutboxDelivered(item.id, now());
      opts.metrics?.alerts.inc({ outcome: 'sent' });
      delivered++;
    }
    return delivered;
  };
}

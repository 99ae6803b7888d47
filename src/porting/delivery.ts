// Delivers the outbox to Slack, oldest first, in order within each channel and each port:
// - at most one post per channel per `channelPaceMs` (Slack allows about one per second);
// - Slack failing as a whole pauses ALL delivery, counting no attempt against any item, until
//   Slack works again: 429 (for Retry-After), 5xx and network errors, and the answers no message
//   can get past (invalid_auth, token_revoked, account_inactive, missing_scope, internal_error,
//   service_unavailable…). The pause doubles from 2 s to at most 5 min while Slack keeps failing,
//   is shown by `/onsim ports watching` (kv SLACK_PAUSED_KV) and ends with the first item Slack takes;
// - refusals of one message no retry cures (channel_not_found, not_in_channel, is_archived,
//   invalid_blocks…) give it up at once, other `ok:false` answers after MAX_ATTEMPTS_UNKNOWN
//   attempts: it goes to the dead-letter list (`/onsim ports watching`, and an error log line);
// - an item is marked delivered only with the ts of the message Slack posted or updated.
// Of a channel's items about one port the store hands out only the oldest pending one, so a later
// change is never posted before an earlier one still being retried (nor opens a second parent).
// A port alert updates the parent message first (idempotent), then posts the thread reply, so a
// retry never doubles a reply. A parent item only updates a parent message.
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

/** Refusals of one message that no retry will cure: it goes to the dead-letter list at once. */
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
/** Answers no message can get past: Slack (or the app's token) is out of order for all of them. */
export const SLACK_WIDE_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'ekm_access_denied',
  'internal_error',
  'service_unavailable',
  'fatal_error',
  'request_timeout',
]);
/** Parent messages that can no longer be updated: a new parent is posted instead. */
const PARENT_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);
/** Other `ok:false` answers get this many attempts before the item goes to the dead letters. */
export const MAX_ATTEMPTS_UNKNOWN = 10;
/** Where the lease holder says that Slack delivery is paused (JSON {since, reason}), for every instance. */
export const SLACK_PAUSED_KV = 'porting.slack_paused';
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;

type Failure =
  /** Slack as a whole failed: every item waits, none is charged an attempt. */
  | { kind: 'slack_wide'; reason: string; retryAfterMs?: number }
  /** Slack refused this message for a reason we do not know to be temporary: bounded attempts. */
  | { kind: 'unknown'; reason: string }
  | { kind: 'permanent'; reason: string };

function failureOf(err: unknown): Failure {
  if (err instanceof WebAPIRateLimitedError) {
    return {
      kind: 'slack_wide',
      retryAfterMs: Math.max(1, err.retryAfter) * 1000,
      reason: 'rate limited (429)',
    };
  }
  if (err instanceof WebAPIHTTPError) return { kind: 'slack_wide', reason: `HTTP ${err.statusCode}` };
  if (err instanceof WebAPIRequestError)
    return { kind: 'slack_wide', reason: `network: ${err.original.message}` };
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    if (PERMANENT_ERRORS.has(code)) return { kind: 'permanent', reason: code };
    if (code === 'ratelimited') return { kind: 'slack_wide', retryAfterMs: 1000, reason: code };
    if (SLACK_WIDE_ERRORS.has(code)) return { kind: 'slack_wide', reason: code };
    return { kind: 'unknown', reason: code };
  }
  if (err instanceof ZodError)
    return { kind: 'permanent', reason: `unreadable outbox payload: ${err.message}` };
  return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
}

/** The pause recorded in SLACK_PAUSED_KV. */
export function readPause(text: string): { since: number; reason: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'since' in value && 'reason' in value) {
      return { since: Number(value.since), reason: String(value.reason) };
    }
  } catch {
    // not JSON: shown as it is
  }
  return { since: Number.NaN, reason: text };
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

  /** Returns the ts of the reply, or of the new parent message. */
  async function deliverAlert(item: OutboxItem): Promise<string> {
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
      return post(channel, portChangeReply(change), { ts: thread.ts, broadcast: failed });
    }
    const ts = await post(channel, portParentMessage(change.port, { change, gone: change.kind === 'gone' }));
    await store.setAlertThread({ channelId: channel, portId: change.portId, ts });
    return ts;
  }

  /**
   * Shows the port's current state in its parent message in the channel; returns that message's
   * ts, or null when there is none to update any more (Slack lost it, or it was never posted).
   */
  async function deliverParent(item: OutboxItem): Promise<string | null> {
    const { portId, gone, port } = ParentPayload.parse(item.payload);
    const channel = item.channelId;
    const thread = await store.getAlertThread(channel, portId);
    if (!thread) return null;
    const parent = portParentMessage(port, { gone });
    try {
      await slack.chat.update({ channel, ts: thread.ts, text: parent.text, blocks: parent.blocks });
    } catch (err) {
      const code = platformCode(err);
      if (code === undefined || !PARENT_GONE.has(code)) throw err;
      log.info({ channel, portId, code }, 'alert parent is gone: nothing to update');
      return null;
    }
    return thread.ts;
  }

  /** The ts of what Slack posted or updated; null for a parent update with no message left to update. */
  async function deliver(item: OutboxItem): Promise<string | null> {
    switch (item.kind) {
      case OUTBOX_KINDS.alert:
        return deliverAlert(item);
      case OUTBOX_KINDS.parent:
        return deliverParent(item);
      case OUTBOX_KINDS.summary: {
        const summary = SummaryPayload.parse(item.payload);
        return post(item.channelId, portSummaryMessage(summary.entries, summary.late));
      }
      case OUTBOX_KINDS.notice: {
        const notice = NoticePayload.parse(item.payload);
        const message =
          notice.notice === 'paused'
            ? pausedNotice(notice.since, notice.reason)
            : resumedNotice(notice.since, notice.until);
        return post(item.channelId, message);
      }
      default:
        throw new Error(`unknown outbox item kind '${item.kind}'`);
    }
  }

  /** Slack failing as a whole: since when, why, and how many pauses in a row (for the backoff). */
  let slackDown: { since: number; pauses: number; reason: string } | null = null;

  async function pauseSlack(item: OutboxItem, failure: Failure & { kind: 'slack_wide' }, context: object) {
    const at = now();
    const pauses = (slackDown?.pauses ?? 0) + 1;
    const waitMs = failure.retryAfterMs ?? backoffMs(pauses - 1);
    slackBlockedUntil = at + waitMs;
    if (slackDown === null) {
      log.warn({ ...context, retryInMs: waitMs }, 'Slack is failing: all porting alert delivery paused');
      await store.setKv(SLACK_PAUSED_KV, JSON.stringify({ since: at, reason: failure.reason }));
    } else {
      log.debug(
        { ...context, retryInMs: waitMs },
        'Slack still failing: porting alert delivery stays paused',
      );
    }
    slackDown = { since: slackDown?.since ?? at, pauses, reason: failure.reason };
    await store.markOutboxFailed(item.id, slackBlockedUntil, failure.reason, { countAttempt: false });
  }

  /** Whether a pause another instance (or an earlier run of this one) recorded was looked at. */
  let recordedPauseChecked = false;

  async function slackWorks(): Promise<void> {
    let pause = slackDown;
    if (pause === null && !recordedPauseChecked) {
      const recorded = await store.getKv(SLACK_PAUSED_KV);
      if (recorded !== null) pause = { ...readPause(recorded), pauses: 0 };
    }
    recordedPauseChecked = true;
    if (pause === null) return;
    log.info(
      { since: pause.since, reason: pause.reason },
      'Slack works again: porting alert delivery resumed',
    );
    slackDown = null;
    await store.setKv(SLACK_PAUSED_KV, null);
  }

  async function recordFailure(item: OutboxItem, err: unknown): Promise<'stop' | 'skip_channel'> {
    const failure = failureOf(err);
    const at = now();
    const attempt = item.attempts + 1;
    const context = {
      outboxId: item.id,
      channel: item.channelId,
      kind: item.kind,
      portId: item.portId ?? undefined,
      attempt,
      reason: failure.reason,
    };
    if (failure.kind === 'slack_wide') {
      opts.metrics?.alerts.inc({ outcome: 'retry' });
      await pauseSlack(item, failure, context);
      return 'stop';
    }
    const giveUp = failure.kind === 'permanent' || attempt >= MAX_ATTEMPTS_UNKNOWN;
    opts.metrics?.alerts.inc({ outcome: giveUp ? 'failed' : 'retry' });
    if (giveUp) {
      log.error(context, 'porting alert given up: Slack refused it (kept in the dead letters)');
      await store.markOutboxFailed(item.id, at, failure.reason);
      await store.markOutboxDead(item.id, at, failure.reason);
      return 'skip_channel';
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
      let ts: string | null;
      try {
        ts = await deliver(item);
      } catch (err) {
        if ((await recordFailure(item, err)) === 'stop') break;
        waiting.add(item.channelId);
        continue;
      }
      await slackWorks();
      if (ts === null) {
        // A parent update with no message left to update: nothing was posted, so nothing is delivered.
        await store.markOutboxDead(item.id, now(), 'no parent message to update');
        continue;
      }
      await store.markOutboxDelivered(item.id, now(), ts);
      opts.metrics?.alerts.inc({ outcome: 'sent' });
      delivered++;
    }
    return delivered;
  };
}

// What the watcher puts in the outbox, and how delivery reads it back. Each item kind has a zod
// schema for its payload (the store hands payloads back as plain JSON), and a dedupe key that
// is the same whichever instance, or whichever retry of a poll, computes it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Port } from '../onsim/porting.js';
import type { NewOutboxItem } from '../store/types.js';
import type { LateReason, PortChange, SummaryEntry } from './alerts.js';
import type { PortEvent } from './diff.js';

export const OUTBOX_KINDS = {
  alert: 'port_alert',
  summary: 'port_summary',
  notice: 'porting_notice',
  /** Brings a port's parent message up to date, without a reply (summarised or filtered-out changes). */
  parent: 'port_parent',
} as const;

const EventKind = z.enum(['new', 'changed', 'gone']);
const Late = z.enum(['offline', 'onsim_unreachable']).nullable();

export const AlertPayload = z.object({
  kind: EventKind,
  portId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  late: Late,
  port: Port,
});

export const SummaryPayload = z.object({
  late: Late,
  entries: z.array(
    z.object({
      kind: EventKind,
      portId: z.string(),
      number: z.string().nullable(),
      from: z.string().nullable(),
      to: z.string().nullable(),
    }),
  ),
});

export const ParentPayload = z.object({
  portId: z.string(),
  gone: z.boolean(),
  port: Port,
});

export const NoticePayload = z.discriminatedUnion('notice', [
  /** `reason`: what ONSIM's last answer was, in words (no secrets: error messages of the client). */
  z.object({ notice: z.literal('paused'), since: z.number(), reason: z.string().optional() }),
  z.object({ notice: z.literal('resumed'), since: z.number(), until: z.number() }),
]);
export type NoticePayload = z.infer<typeof NoticePayload>;

/** Identifies one occurrence of an event: ONSIM's update time and our previous sighting. */
function eventKey(event: PortEvent): string {
  const from = event.kind === 'new' ? 'new' : (event.from ?? '');
  const to = event.kind === 'gone' ? 'gone' : (event.to ?? '');
  return `${event.portId}:${from}->${to}:${event.port.updatedDate ?? ''}:${event.previousSeenAt ?? ''}`;
}

export function toChange(event: PortEvent, late: LateReason | null): PortChange {
  return {
    kind: event.kind,
    portId: event.portId,
    from: event.from ?? null,
    to: event.to ?? null,
    port: event.port,
    late,
  };
}

export function alertItem(channelId: string, event: PortEvent, late: LateReason | null): NewOutboxItem {
  return {
    dedupeKey: `${channelId}:${eventKey(event)}`,
    channelId,
    portId: event.portId,
    kind: OUTBOX_KINDS.alert,
    payload: { ...toChange(event, late) },
  };
}

/** One summary of several events; its key is a hash of theirs, so a repeat poll dedupes it too. */
export function summaryItem(
  channelId: string,
  events: readonly PortEvent[],
  late: LateReason | null,
): NewOutboxItem {
  const keys = events.map(eventKey).sort();
  const digest = createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 32);
  const entries: SummaryEntry[] = events.map((e) => ({
    kind: e.kind,
    portId: e.portId,
    number: e.port.portinNumber ?? e.port.number ?? null,
    from: e.from ?? null,
    to: e.to ?? null,
  }));
  return {
    dedupeKey: `${channelId}:summary:${digest}`,
    channelId,
    kind: OUTBOX_KINDS.summary,
    payload: { late, entries },
  };
}

/** Updates the parent message of the event's port in the channel, if it has one; posts nothing. */
export function parentItem(channelId: string, event: PortEvent): NewOutboxItem {
  return {
    dedupeKey: `${channelId}:parent:${eventKey(event)}`,
    channelId,
    portId: event.portId,
    kind: OUTBOX_KINDS.parent,
    payload: { portId: event.portId, gone: event.kind === 'gone', port: { ...event.port } },
  };
}

export function noticeItem(channelId: string, notice: NoticePayload): NewOutboxItem {
  return {
    dedupeKey: `${channelId}:${notice.notice}:${notice.since}`,
    channelId,
    kind: OUTBOX_KINDS.notice,
    payload: { ...notice },
  };
}

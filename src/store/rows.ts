// Row shapes shared by both engines: snake_case columns, times as integer milliseconds and
// JSON as text (the PostgreSQL pool is told to hand jsonb back as text), so one set of
// mappers serves SQLite and PostgreSQL alike.
import type {
  AlertThread,
  AuditEntry,
  AuditEvent,
  ClaimResult,
  Confirmation,
  EsimFollowUp,
  OutboxItem,
  PortSnapshot,
  PortWatch,
  QrExpiry,
  UsageWatch,
} from './types.js';

export interface EsimFollowUpRow {
  id: number;
  mpn: string | null;
  iccid: string | null;
  i_account: string | null;
  channel_id: string;
  message_ts: string | null;
  file_id: string | null;
  requester_id: string;
  started_at: number;
  deadline_at: number;
  next_check_at: number;
  failures: number;
  status: EsimFollowUp['status'];
  installed_at: number | null;
  finished_at: number | null;
}

export function toEsimFollowUp(r: EsimFollowUpRow): EsimFollowUp {
  return {
    id: r.id,
    mpn: r.mpn,
    iccid: r.iccid,
    iAccount: r.i_account,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    fileId: r.file_id,
    requesterId: r.requester_id,
    startedAt: r.started_at,
    deadlineAt: r.deadline_at,
    nextCheckAt: r.next_check_at,
    failures: r.failures,
    status: r.status,
    installedAt: r.installed_at,
    finishedAt: r.finished_at,
  };
}

export interface UsageWatchRow {
  id: number;
  channel_id: string;
  mpn: string;
  threshold: number;
  created_by: string;
  created_at: number;
  period: string | null;
  threshold_alert: number;
  full_alert: number;
  last_percent: number | null;
  last_bundle: string | null;
  last_checked_at: number | null;
  next_check_at: number;
  failures: number;
}

const alertFlag = (n: number): 0 | 1 | 2 => (n === 1 ? 1 : n === 2 ? 2 : 0);

export function toUsageWatch(r: UsageWatchRow): UsageWatch {
  return {
    id: r.id,
    channelId: r.channel_id,
    mpn: r.mpn,
    threshold: r.threshold,
    createdBy: r.created_by,
    createdAt: r.created_at,
    period: r.period,
    thresholdAlert: alertFlag(r.threshold_alert),
    fullAlert: alertFlag(r.full_alert),
    lastPercent: r.last_percent === null ? null : Number(r.last_percent),
    lastBundle: r.last_bundle,
    lastCheckedAt: r.last_checked_at,
    nextCheckAt: r.next_check_at,
    failures: r.failures,
  };
}

export interface ConfirmationRow {
  id: string;
  operation: string;
  user_id: string;
  channel_id: string | null;
  target: string;
  payload: string;
  created_at: number;
  expires_at: number;
  status: Confirmation['status'];
  result: string | null;
}

export interface AuditRow {
  id: number;
  at: number;
  user_id: string;
  channel_id: string | null;
  operation: string;
  target: string | null;
  event: AuditEvent;
  detail: string | null;
}

export interface WatchRow {
  id: number;
  channel_id: string;
  states: string;
  number: string | null;
  created_by: string;
  created_at: number;
}

export interface SnapshotRow {
  port_id: string;
  status: string;
  data: string;
  seen_at: number;
}

export interface OutboxRow {
  id: number;
  dedupe_key: string;
  channel_id: string;
  kind: string;
  payload: string;
  port_id: string | null;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  ts: string | null;
  dead_at: number | null;
  last_error: string | null;
}

export interface AlertThreadRow {
  channel_id: string;
  port_id: string;
  ts: string;
}

export function toConfirmation(r: ConfirmationRow): Confirmation {
  return {
    id: r.id,
    operation: r.operation,
    userId: r.user_id,
    channelId: r.channel_id,
    target: r.target,
    payload: parseObject(r.payload),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    status: r.status,
    result: r.result,
  };
}

export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    userId: r.user_id,
    channelId: r.channel_id,
    operation: r.operation,
    target: r.target,
    event: r.event,
    detail: r.detail,
  };
}

export function toPortWatch(r: WatchRow): PortWatch {
  return {
    id: r.id,
    channelId: r.channel_id,
    states: parseStrings(r.states),
    number: r.number,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export function toPortSnapshot(r: SnapshotRow): PortSnapshot {
  return { portId: r.port_id, status: r.status, data: parseObject(r.data), seenAt: r.seen_at };
}

export function toOutboxItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    channelId: r.channel_id,
    kind: r.kind,
    payload: parseObject(r.payload),
    portId: r.port_id,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    ts: r.ts,
    deadAt: r.dead_at,
    lastError: r.last_error,
  };
}

export function toAlertThread(r: AlertThreadRow): AlertThread {
  return { channelId: r.channel_id, portId: r.port_id, ts: r.ts };
}

/**
 * Why a claim's conditional UPDATE matched no row, read from the row as it is now.
 * Checked in this order: gone, no longer pending, someone else's, expired.
 */
export function refusedClaim(row: ConfirmationRow | undefined, userId: string, now: number): ClaimResult {
  if (!row) return { kind: 'not_found' };
  const confirmation = toConfirmation(row);
  if (confirmation.status !== 'pending') return { kind: 'already_used', confirmation };
  if (confirmation.userId !== userId) return { kind: 'wrong_user', confirmation };
  if (confirmation.expiresAt <= now) return { kind: 'expired', confirmation };
  // Pending, theirs and live now, so it did not exist yet when the UPDATE ran.
  return { kind: 'not_found' };
}

function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new Error(`stored JSON is not an object: ${text.slice(0, 80)}`);
  return value;
}

function parseStrings(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`stored JSON is not a list of strings: ${text.slice(0, 80)}`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface QrExpiryRow {
  file_id: string;
  channel_id: string;
  message_ts: string | null;
  poster_id: string;
  mpn: string | null;
  iccid: string | null;
  i_account: string | null;
  posted_at: number;
  delete_at: number;
}

export function toQrExpiry(r: QrExpiryRow): QrExpiry {
  return {
    fileId: r.file_id,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    posterId: r.poster_id,
    mpn: r.mpn,
    iccid: r.iccid,
    iAccount: r.i_account,
    postedAt: r.posted_at,
    deleteAt: r.delete_at,
  };
}

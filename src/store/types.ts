// The one persistence interface of the bot, implemented once in SQL (sql-store.ts) on two
// engines (SQLite, PostgreSQL); both must pass the same test suite (test/store/store.test.ts).
// All times are epoch milliseconds (numbers), so both engines agree to the millisecond.

/** A pending destructive step that waits for its requester's explicit confirmation. */
export interface Confirmation {
  id: string;
  /** What will run once confirmed, e.g. 'cease', 'recording', 'esim_refresh'. */
  operation: string;
  /** Slack user id of the requester; only they may confirm. */
  userId: string;
  channelId: string | null;
  /** MPN or ICCID the action targets, for the audit trail. */
  target: string;
  /** JSON-serialisable parameters of the action (never secrets). */
  payload: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  status: 'pending' | 'claimed' | 'done' | 'cancelled';
  /** Set when done: a short machine word ('succeeded', 'failed', 'outcome_unknown'). */
  result: string | null;
}

export type NewConfirmation = Omit<Confirmation, 'status' | 'result'>;

/**
 * Result of an atomic claim. Exactly one caller ever gets 'claimed' for a given id, even
 * with several app instances on one database.
 */
export type ClaimResult =
  | { kind: 'claimed'; confirmation: Confirmation }
  | { kind: 'not_found' }
  | { kind: 'wrong_user'; confirmation: Confirmation }
  | { kind: 'expired'; confirmation: Confirmation }
  | { kind: 'already_used'; confirmation: Confirmation };

export type AuditEvent =
  | 'requested'
  /** A write is about to be sent to ONSIM (its outcome follows; none means it never finished). */
  | 'started'
  | 'confirmed'
  | 'cancelled'
  | 'refused'
  | 'succeeded'
  | 'failed'
  | 'outcome_unknown'
  | 'expired';

export interface AuditEntry {
  id: number;
  at: number;
  userId: string;
  channelId: string | null;
  operation: string;
  /** MPN, ICCID, group name… whatever the operation acted on. */
  target: string | null;
  event: AuditEvent;
  /** Free text without secrets: reason given, error title, role needed… */
  detail: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** A channel's subscription to porting alerts. */
export interface PortWatch {
  id: number;
  channelId: string;
  /** Target states to alert on; empty = every change. Upper-case ONSIM states. */
  states: string[];
  /** Only this number (E.164 digits, no '+'), or null for all. */
  number: string | null;
  createdBy: string;
  createdAt: number;
}

export type NewPortWatch = Omit<PortWatch, 'id'>;

/** Last known state of one port, as the watcher saw it. */
export interface PortSnapshot {
  portId: string;
  status: string;
  /** The whole port as JSON (for alert rendering). */
  data: Record<string, unknown>;
  seenAt: number;
}

/** One message waiting to be delivered to Slack (porting alerts and notices). */
export interface OutboxItem {
  id: number;
  /** Idempotency key: enqueueing the same key twice keeps the first item only. */
  dedupeKey: string;
  channelId: string;
  /** What to do, e.g. 'port_alert', 'port_summary', 'notice'; the payload is its data. */
  kind: string;
  payload: Record<string, unknown>;
  /** The port the item is about, if one: a channel's items of one port are delivered in order. */
  portId: string | null;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** Set with `ts` only: delivered means Slack answered with the message's ts. */
  deliveredAt: number | null;
  ts: string | null;
  /** Given up for a reason of its own (kept in lastError): the dead-letter list. */
  deadAt: number | null;
  lastError: string | null;
}

export type NewOutboxItem = Pick<OutboxItem, 'dedupeKey' | 'channelId' | 'kind' | 'payload'> & {
  portId?: string | null;
};

/** Parent message of a port's alert thread in one channel. */
export interface AlertThread {
  channelId: string;
  portId: string;
  ts: string;
}

/**
 * An eSIM sent out (QR posted) whose installation the bot follows. `announcing_*` states mean
 * the outcome is decided and claimed but its Slack messages may not all be out yet: whoever
 * polls next finishes them (each step is idempotent except the timeout note, posted last).
 */
export type EsimFollowUpStatus =
  | 'waiting'
  | 'announcing_installed'
  | 'installed'
  | 'announcing_timeout'
  | 'timed_out'
  | 'ceased'
  | 'superseded';

export interface EsimFollowUp {
  id: number;
  /** What ONSIM's eSIM query is asked by (at least one is set). */
  mpn: string | null;
  iccid: string | null;
  iAccount: string | null;
  /** Where the QR went, and the bot's message beside it (updated in place). */
  channelId: string;
  messageTs: string | null;
  /** The QR image, deleted once the eSIM is installed. */
  fileId: string | null;
  requesterId: string;
  startedAt: number;
  deadlineAt: number;
  nextCheckAt: number;
  /** ONSIM failures in a row (429/5xx/network): the backoff grows with them. */
  failures: number;
  status: EsimFollowUpStatus;
  installedAt: number | null;
  finishedAt: number | null;
}

export type NewEsimFollowUp = Omit<
  EsimFollowUp,
  'id' | 'status' | 'failures' | 'installedAt' | 'finishedAt' | 'nextCheckAt'
> & { nextCheckAt?: number };

/** A posted QR image to delete by itself once QR_TTL_HOURS have passed. */
export interface QrExpiry {
  fileId: string;
  channelId: string;
  /** The "Delete QR" message beside the image, updated when it goes. */
  messageTs: string | null;
  posterId: string;
  mpn: string | null;
  iccid: string | null;
  iAccount: string | null;
  postedAt: number;
  deleteAt: number;
}

/** A channel's watch on one line's data usage. */
export interface UsageWatch {
  id: number;
  channelId: string;
  mpn: string;
  /** Percent of the allowance that raises the first alert (1–99). */
  threshold: number;
  createdBy: string;
  createdAt: number;
  /** The bundle period the alert flags belong to (ONSIM's period_from); a new one re-arms them. */
  period: string | null;
  /** 0: not alerted; 1: claimed, being posted; 2: posted. */
  thresholdAlert: 0 | 1 | 2;
  fullAlert: 0 | 1 | 2;
  lastPercent: number | null;
  lastBundle: string | null;
  lastCheckedAt: number | null;
  nextCheckAt: number;
  failures: number;
}

export type NewUsageWatch = Pick<UsageWatch, 'channelId' | 'mpn' | 'threshold' | 'createdBy' | 'createdAt'>;

export interface Store {
  readonly engine: 'sqlite' | 'postgres';

  // Confirmations
  createConfirmation(c: NewConfirmation): Promise<Confirmation>;
  getConfirmation(id: string): Promise<Confirmation | null>;
  /** Atomically moves pending → claimed when userId matches and now < expiresAt. */
  claimConfirmation(id: string, userId: string, now: number): Promise<ClaimResult>;
  /** Records the outcome of a claimed confirmation (status → done); throws if it is not claimed. */
  finishConfirmation(id: string, result: string): Promise<void>;
  /**
   * Claimed confirmations that never got an outcome although they expired before `expiredBefore`:
   * the instance carrying them out stopped mid-way.
   */
  abandonedClaims(expiredBefore: number): Promise<Confirmation[]>;
  /** pending → cancelled, only by its requester. Returns false if not pending or not theirs. */
  cancelConfirmation(id: string, userId: string): Promise<boolean>;

  // Audit trail
  appendAudit(e: NewAuditEntry): Promise<AuditEntry>;
  /**
   * Newest first. `target`: entries aimed at it, or naming it in their detail (a cease aimed at
   * an MPN names its ICCID). `userId`: only that person's entries.
   */
  listAudit(opts: { target?: string; userId?: string; limit: number }): Promise<AuditEntry[]>;

  // Porting watches
  addWatch(w: NewPortWatch): Promise<PortWatch>;
  /** Removes every watch of the channel; returns how many were removed. */
  removeWatches(channelId: string): Promise<number>;
  listWatches(channelId?: string): Promise<PortWatch[]>;

  // QR images that delete themselves (QR_TTL_HOURS)
  addQrExpiry(q: QrExpiry): Promise<void>;
  /** Those whose time (or next try) has come and that nobody has deleted yet, oldest first. */
  dueQrExpiries(now: number, limit: number): Promise<QrExpiry[]>;
  /** Slack refused: try again at `nextTryAt` (its deleteAt stays as it was). */
  postponeQrExpiry(fileId: string, nextTryAt: number): Promise<void>;
  /** The image is gone (deleted by its time, by a person, or at install): nothing left to do. */
  finishQrExpiry(fileId: string, now: number): Promise<void>;

  // Port snapshots (the watcher's memory)
  /**
   * Every snapshot in port id order; with `statuses`, only those in one of them (as ONSIM writes
   * them, in any case): the Home tab's few open ports out of 100,000, without reading the rest.
   */
  getPortSnapshots(opts?: { statuses?: readonly string[] }): Promise<PortSnapshot[]>;
  /**
   * Every snapshot in port id order, handed to `visit` one at a time, read `batchSize` rows per
   * query (default 5,000): a new lease holder rebuilds its memory of 100,000 ports without
   * holding them all as rows and snapshots at once.
   */
  forEachPortSnapshot(visit: (snapshot: PortSnapshot) => void, batchSize?: number): Promise<void>;
  /**
   * In ONE transaction: upsert the changed snapshots, delete the gone ones, and enqueue the
   * outbox items (deduplicated on dedupeKey). A crash leaves either all or nothing.
   */
  applyPortPoll(changes: {
    upserts: PortSnapshot[];
    deletes: string[];
    outbox: NewOutboxItem[];
    kv?: Record<string, string | null>;
    /** Creation time of the enqueued items, which are due at once; defaults to Date.now(). */
    now?: number;
  }): Promise<void>;

  // Outbox
  /** `now` is the items' creation time (they are due at once); defaults to Date.now(). */
  enqueueOutbox(items: NewOutboxItem[], now?: number): Promise<void>;
  /**
   * Pending items (neither delivered nor dead) whose nextAttemptAt <= now, oldest first, at most
   * `perChannel` of each channel (default: no cap), so one channel's backlog cannot hold the
   * others' alerts back. Of a channel's pending items about one port only the oldest is ever
   * due: a later change waits for an earlier one that is still being retried.
   */
  dueOutbox(now: number, limit: number, perChannel?: number): Promise<OutboxItem[]>;
  /** Slack took the item: `ts` is the message it posted or updated (required). */
  markOutboxDelivered(id: number, now: number, ts: string): Promise<void>;
  /** Items neither delivered nor dead, due or waiting for a retry (the `/metrics` outbox depth). */
  outboxDepth(): Promise<number>;
  /** Postpones the item; `countAttempt: false` when Slack as a whole failed, not this item. */
  markOutboxFailed(
    id: number,
    nextAttemptAt: number,
    error: string,
    opts?: { countAttempt?: boolean },
  ): Promise<void>;
  /** Gives the item up for a reason of its own: it goes to the dead-letter list. */
  markOutboxDead(id: number, now: number, reason: string): Promise<void>;
  /** The dead-letter list, newest first (of one channel, or all). */
  deadOutbox(opts: { channelId?: string; limit: number }): Promise<OutboxItem[]>;

  // Alert threads
  getAlertThread(channelId: string, portId: string): Promise<AlertThread | null>;
  setAlertThread(t: AlertThread): Promise<void>;
  /** The alert threads, in every channel, of these ports (one query, however many). */
  alertThreadsOf(portIds: readonly string[]): Promise<AlertThread[]>;

  // Small key/value state (e.g. 'porting.paused_since')
  getKv(key: string): Promise<string | null>;
  setKv(key: string, value: string | null): Promise<void>;
  /** Sets the key unless it holds a value already (atomically); returns the value it holds after. */
  setKvIfAbsent(key: string, value: string): Promise<string>;

  // eSIM install follow-ups
  /** Adds a follow-up; earlier waiting ones of the same eSIM (its code was refreshed) are superseded. */
  addEsimFollowUp(f: NewEsimFollowUp): Promise<EsimFollowUp>;
  /** Waiting or announcing follow-ups whose nextCheckAt <= now, oldest check first. */
  dueEsimFollowUps(now: number, limit: number): Promise<EsimFollowUp[]>;
  /** Follow-ups still waiting or announcing (the `/metrics` follow-ups pending). */
  pendingEsimFollowUps(): Promise<number>;
  /** Follow-ups in these states, newest first. */
  listEsimFollowUps(statuses: readonly EsimFollowUpStatus[], limit: number): Promise<EsimFollowUp[]>;
  /**
   * Changes a follow-up only while it is in `from`: returns false when another poller (or an
   * earlier run) already moved it on, so an outcome is claimed exactly once.
   */
  updateEsimFollowUp(
    id: number,
    from: EsimFollowUpStatus,
    changes: Partial<
      Pick<EsimFollowUp, 'status' | 'nextCheckAt' | 'failures' | 'installedAt' | 'finishedAt'>
    >,
  ): Promise<boolean>;

  // Data-usage watches
  /** Adds the watch, or changes the threshold of the channel's existing watch of that MPN. */
  upsertUsageWatch(w: NewUsageWatch): Promise<{ watch: UsageWatch; created: boolean }>;
  removeUsageWatch(channelId: string, mpn: string): Promise<boolean>;
  listUsageWatches(channelId?: string): Promise<UsageWatch[]>;
  dueUsageWatches(now: number, limit: number): Promise<UsageWatch[]>;
  /**
   * Records a check. With `expect`, applies only while the alert flags are still as expected
   * (the claim of an alert); returns whether it applied.
   */
  updateUsageWatch(
    id: number,
    changes: Partial<
      Pick<
        UsageWatch,
        | 'period'
        | 'thresholdAlert'
        | 'fullAlert'
        | 'lastPercent'
        | 'lastBundle'
        | 'lastCheckedAt'
        | 'nextCheckAt'
        | 'failures'
      >
    >,
    expect?: Pick<UsageWatch, 'period' | 'thresholdAlert' | 'fullAlert'>,
  ): Promise<boolean>;

  /**
   * Lease lock for singleton work (the porting poller). Returns true when holderId holds
   * the lock after the call (newly taken, renewed, or taken over because the previous
   * holder's lease expired).
   */
  tryLock(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLock(name: string, holderId: string): Promise<void>;

  close(): Promise<void>;
}

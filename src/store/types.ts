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
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export type NewOutboxItem = Pick<OutboxItem, 'dedupeKey' | 'channelId' | 'kind' | 'payload'>;

/** Parent message of a port's alert thread in one channel. */
export interface AlertThread {
  channelId: string;
  portId: string;
  ts: string;
}

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
   * an MPN names its ICCID).
   */
  listAudit(opts: { target?: string; limit: number }): Promise<AuditEntry[]>;

  // Porting watches
  addWatch(w: NewPortWatch): Promise<PortWatch>;
  /** Removes every watch of the channel; returns how many were removed. */
  removeWatches(channelId: string): Promise<number>;
  listWatches(channelId?: string): Promise<PortWatch[]>;

  // Port snapshots (the watcher's memory)
  getPortSnapshots(): Promise<PortSnapshot[]>;
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
   * Undelivered items whose nextAttemptAt <= now, oldest first, at most `perChannel` of each
   * channel (default: no cap), so one channel's backlog cannot hold the others' alerts back.
   */
  dueOutbox(now: number, limit: number, perChannel?: number): Promise<OutboxItem[]>;
  markOutboxDelivered(id: number, now: number): Promise<void>;
  /** Items not delivered yet, due or waiting for a retry (the `/metrics` outbox depth). */
  outboxDepth(): Promise<number>;
  markOutboxFailed(id: number, nextAttemptAt: number, error: string): Promise<void>;

  // Alert threads
  getAlertThread(channelId: string, portId: string): Promise<AlertThread | null>;
  setAlertThread(t: AlertThread): Promise<void>;

  // Small key/value state (e.g. 'porting.paused_since')
  getKv(key: string): Promise<string | null>;
  setKv(key: string, value: string | null): Promise<void>;
  /** Sets the key unless it holds a value already (atomically); returns the value it holds after. */
  setKvIfAbsent(key: string, value: string): Promise<string>;

  /**
   * Lease lock for singleton work (the porting poller). Returns true when holderId holds
   * the lock after the call (newly taken, renewed, or taken over because the previous
   * holder's lease expired).
   */
  tryLock(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLock(name: string, holderId: string): Promise<void>;

  close(): Promise<void>;
}

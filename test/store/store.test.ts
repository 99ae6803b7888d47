import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE } from '../../src/store/db.js';
import {
  type NewAuditEntry,
  type NewConfirmation,
  type NewOutboxItem,
  type NewPortWatch,
  type OnsimIdentity,
  openStore,
  type PortSnapshot,
  type Store,
  StoreOwnerError,
} from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { migratePostgres, openPostgresStore } from '../../src/store/postgres.js';
import { migrateSqlite, openSqliteStore } from '../../src/store/sqlite.js';
import { freshPostgresUrl } from '../support/postgres.js';

const T0 = 1_700_000_000_000;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'onsim-store-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// Every store a test opens is closed after it, unless the test closed it itself.
const openStores = new Set<Store>();
afterEach(async () => {
  await Promise.all([...openStores].map((s) => s.close()));
  openStores.clear();
});
async function track(opening: Promise<Store>): Promise<Store> {
  const store = await opening;
  openStores.add(store);
  return store;
}
async function close(store: Store): Promise<void> {
  openStores.delete(store);
  await store.close();
}

function sqliteFile(): string {
  return join(tmp, `${randomUUID()}.db`);
}

function confirmation(overrides: Partial<NewConfirmation> = {}): NewConfirmation {
  return {
    id: randomUUID(),
    operation: 'cease',
    userId: 'U_ALICE',
    channelId: 'C_OPS',
    target: '447700900001',
    payload: { mpn: '447700900001', options: { keepNumber: true, notes: ['lost', 'stolen'] } },
    createdAt: T0,
    expiresAt: T0 + 60_000,
    ...overrides,
  };
}

function audit(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: T0,
    userId: 'U_ALICE',
    channelId: 'C_OPS',
    operation: 'cease',
    target: '447700900001',
    event: 'requested',
    detail: null,
    ...overrides,
  };
}

function watch(overrides: Partial<NewPortWatch> = {}): NewPortWatch {
  return {
    channelId: 'C_OPS',
    states: ['COMPLETED', 'REJECTED'],
    number: null,
    createdBy: 'U_ALICE',
    createdAt: T0,
    ...overrides,
  };
}

function snapshot(portId: string, status: string, seenAt = T0): PortSnapshot {
  return { portId, status, data: { id: portId, status, msisdn: '447700900123' }, seenAt };
}

function outboxItem(dedupeKey: string, overrides: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return { dedupeKey, channelId: 'C_OPS', kind: 'port_alert', payload: { key: dedupeKey }, ...overrides };
}

interface Engine {
  name: 'sqlite' | 'postgres';
  /** Where a database nobody has opened yet lives: a file path or a URL. */
  newDatabase(): Promise<string>;
  /** A database without rows: new, or (where creating one is slow) an emptied one. */
  emptyDatabase(): Promise<string>;
  open(location: string): Promise<Store>;
  /** The DATABASE_URL of a location. */
  url(location: string): string;
}

// CREATE DATABASE takes a few hundred ms, so the PostgreSQL suite reuses one database and
// empties it before each test; tests about opening a database ask for a new one.
let reusedPostgres: string | undefined;
async function emptiedPostgresDatabase(): Promise<string> {
  reusedPostgres ??= await freshPostgresUrl();
  const client = new pg.Client({ connectionString: reusedPostgres });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
       WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
    );
    await client.query(rows.map((r) => `DELETE FROM ${r.name};`).join('\n'));
  } finally {
    await client.end();
  }
  return reusedPostgres;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    newDatabase: async () => sqliteFile(),
    emptyDatabase: async () => sqliteFile(),
    open: openSqliteStore,
    url: (file) => `sqlite:${file}`,
  },
  {
    name: 'postgres',
    newDatabase: freshPostgresUrl,
    emptyDatabase: emptiedPostgresDatabase,
    open: openPostgresStore,
    url: (url) => url,
  },
];

describe.each(engines)('$name store', (engine) => {
  let location: string;
  let store: Store;
  const open = () => track(engine.open(location));

  beforeEach(async () => {
    location = await engine.emptyDatabase();
    store = await open();
  });

  it('reports its engine', () => {
    expect(store.engine).toBe(engine.name);
  });

  describe('confirmations', () => {
    it('creates a pending confirmation and reads it back unchanged', async () => {
      const input = confirmation();
      const created = await store.createConfirmation(input);
      expect(created).toEqual({ ...input, status: 'pending', result: null });
      expect(await store.getConfirmation(input.id)).toEqual(created);
    });

    it('keeps a null channel', async () => {
      const created = await store.createConfirmation(confirmation({ channelId: null }));
      expect((await store.getConfirmation(created.id))?.channelId).toBeNull();
    });

    it('returns null for an unknown id', async () => {
      expect(await store.getConfirmation('nope')).toBeNull();
    });

    it('lets the requester claim it once; a second claim is already_used', async () => {
      const c = await store.createConfirmation(confirmation());
      const first = await store.claimConfirmation(c.id, 'U_ALICE', T0 + 1_000);
      expect(first).toEqual({ kind: 'claimed', confirmation: { ...c, status: 'claimed' } });
      const second = await store.claimConfirmation(c.id, 'U_ALICE', T0 + 2_000);
      expect(second).toEqual({ kind: 'already_used', confirmation: { ...c, status: 'claimed' } });
    });

    it('refuses another user and leaves the confirmation pending for its requester', async () => {
      const c = await store.createConfirmation(confirmation());
      expect(await store.claimConfirmation(c.id, 'U_MALLORY', T0 + 1_000)).toEqual({
        kind: 'wrong_user',
        confirmation: c,
      });
      expect((await store.getConfirmation(c.id))?.status).toBe('pending');
      expect((await store.claimConfirmation(c.id, 'U_ALICE', T0 + 1_000)).kind).toBe('claimed');
    });

    it('refuses a claim at or after expiresAt and leaves it pending', async () => {
      const c = await store.createConfirmation(confirmation());
      expect(await store.claimConfirmation(c.id, 'U_ALICE', c.expiresAt)).toEqual({
        kind: 'expired',
        confirmation: c,
      });
      expect((await store.getConfirmation(c.id))?.status).toBe('pending');
    });

    it('accepts a claim one millisecond before expiry', async () => {
      const c = await store.createConfirmation(confirmation());
      expect((await store.claimConfirmation(c.id, 'U_ALICE', c.expiresAt - 1)).kind).toBe('claimed');
    });

    it('answers not_found for an unknown id', async () => {
      expect(await store.claimConfirmation('nope', 'U_ALICE', T0)).toEqual({ kind: 'not_found' });
    });

    it('records the outcome of a claimed confirmation', async () => {
      const c = await store.createConfirmation(confirmation());
      await store.claimConfirmation(c.id, 'U_ALICE', T0);
      await store.finishConfirmation(c.id, 'succeeded');
      expect(await store.getConfirmation(c.id)).toEqual({ ...c, status: 'done', result: 'succeeded' });
      expect((await store.claimConfirmation(c.id, 'U_ALICE', T0)).kind).toBe('already_used');
    });

    it('refuses to finish a confirmation that is not claimed', async () => {
      const c = await store.createConfirmation(confirmation());
      await expect(store.finishConfirmation(c.id, 'succeeded')).rejects.toThrow(/not claimed/);
      expect(await store.getConfirmation(c.id)).toEqual(c);
      await expect(store.finishConfirmation('nope', 'failed')).rejects.toThrow(/not claimed/);
    });

    it('lets only the requester cancel a pending confirmation, after which it cannot be claimed', async () => {
      const c = await store.createConfirmation(confirmation());
      expect(await store.cancelConfirmation(c.id, 'U_MALLORY')).toBe(false);
      expect((await store.getConfirmation(c.id))?.status).toBe('pending');
      expect(await store.cancelConfirmation(c.id, 'U_ALICE')).toBe(true);
      expect((await store.getConfirmation(c.id))?.status).toBe('cancelled');
      expect(await store.cancelConfirmation(c.id, 'U_ALICE')).toBe(false);
      expect((await store.claimConfirmation(c.id, 'U_ALICE', T0)).kind).toBe('already_used');
    });

    it('does not cancel a claimed confirmation', async () => {
      const c = await store.createConfirmation(confirmation());
      await store.claimConfirmation(c.id, 'U_ALICE', T0);
      expect(await store.cancelConfirmation(c.id, 'U_ALICE')).toBe(false);
      expect((await store.getConfirmation(c.id))?.status).toBe('claimed');
    });

    it('grants exactly one of 20 concurrent claims', async () => {
      const c = await store.createConfirmation(confirmation());
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.claimConfirmation(c.id, 'U_ALICE', T0)),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'already_used')).toHaveLength(19);
    });

    it('grants exactly one claim when two store instances race on the same database', async () => {
      const other = await open();
      const c = await store.createConfirmation(confirmation());
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claimConfirmation(c.id, 'U_ALICE', T0)),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'already_used')).toHaveLength(19);
    });
  });

  describe('audit trail', () => {
    it('returns the appended entry with an id', async () => {
      const input = audit({ event: 'refused', detail: 'needs role admin', target: null, channelId: null });
      const entry = await store.appendAudit(input);
      expect(entry).toEqual({ ...input, id: expect.any(Number) });
      expect(await store.listAudit({ limit: 10 })).toEqual([entry]);
    });

    it('lists newest first, filters by target and honours the limit', async () => {
      const middle = await store.appendAudit(audit({ at: T0 + 2, target: 'A', event: 'confirmed' }));
      const oldest = await store.appendAudit(audit({ at: T0 + 1, target: 'A', event: 'requested' }));
      const newest = await store.appendAudit(audit({ at: T0 + 3, target: 'A', event: 'succeeded' }));
      const other = await store.appendAudit(audit({ at: T0 + 4, target: 'B' }));

      expect(await store.listAudit({ limit: 10 })).toEqual([other, newest, middle, oldest]);
      expect(await store.listAudit({ target: 'A', limit: 10 })).toEqual([newest, middle, oldest]);
      expect(await store.listAudit({ target: 'A', limit: 2 })).toEqual([newest, middle]);
      expect(await store.listAudit({ target: 'C', limit: 10 })).toEqual([]);
    });

    it('finds entries that name the target in their detail (a cease aimed at an MPN names its ICCID)', async () => {
      const cease = await store.appendAudit(
        audit({ at: T0 + 1, target: '447700900123', detail: 'SIM 8944530100000001022 (+44 7700 900123)' }),
      );
      await store.appendAudit(
        audit({ at: T0 + 2, target: '447700900124', detail: 'SIM 8944530100000001023' }),
      );
      expect(await store.listAudit({ target: '8944530100000001022', limit: 10 })).toEqual([cease]);
    });
  });

  describe('porting watches', () => {
    it('adds, lists per channel or all, and removes one channel’s watches', async () => {
      const a1 = await store.addWatch(watch({ channelId: 'C_A' }));
      const b1 = await store.addWatch(watch({ channelId: 'C_B', states: [], number: '447700900123' }));
      const a2 = await store.addWatch(watch({ channelId: 'C_A', states: ['IN PROGRESS'] }));
      expect(b1).toEqual({ ...watch({ channelId: 'C_B', states: [], number: '447700900123' }), id: b1.id });

      expect(await store.listWatches('C_A')).toEqual([a1, a2]);
      expect(await store.listWatches()).toEqual([a1, b1, a2]);

      expect(await store.removeWatches('C_A')).toBe(2);
      expect(await store.removeWatches('C_A')).toBe(0);
      expect(await store.listWatches()).toEqual([b1]);
    });
  });

  describe('port polls', () => {
    it('applies snapshot upserts and deletes, outbox items and kv changes together', async () => {
      await store.setKv('porting.paused_since', String(T0));
      await store.applyPortPoll({
        upserts: [snapshot('P1', 'SUBMITTED'), snapshot('P2', 'SUBMITTED')],
        deletes: [],
        outbox: [outboxItem('P1:SUBMITTED')],
        kv: { 'porting.last_poll': String(T0) },
        now: T0,
      });
      await store.applyPortPoll({
        upserts: [snapshot('P1', 'COMPLETED', T0 + 60_000)],
        deletes: ['P2', 'P_UNKNOWN'],
        outbox: [outboxItem('P1:COMPLETED'), outboxItem('P2:GONE')],
        kv: { 'porting.last_poll': String(T0 + 60_000), 'porting.paused_since': null },
        now: T0 + 60_000,
      });

      expect(await store.getPortSnapshots()).toEqual([snapshot('P1', 'COMPLETED', T0 + 60_000)]);
      const due = await store.dueOutbox(T0 + 60_000, 10);
      expect(due.map((i) => [i.dedupeKey, i.createdAt])).toEqual([
        ['P1:SUBMITTED', T0],
        ['P1:COMPLETED', T0 + 60_000],
        ['P2:GONE', T0 + 60_000],
      ]);
      expect(await store.getKv('porting.last_poll')).toBe(String(T0 + 60_000));
      expect(await store.getKv('porting.paused_since')).toBeNull();
    });

    it('hands every snapshot over in port id order, page by page, as one read would', async () => {
      const ids = ['P10', 'P2', 'P07', 'P1', 'P3', 'P11', 'P5'];
      await store.applyPortPoll({
        upserts: ids.map((id) => snapshot(id, 'SUBMITTED')),
        deletes: [],
        outbox: [],
      });
      const whole = await store.getPortSnapshots();
      for (const batchSize of [1, 3, 7, 100]) {
        const seen: PortSnapshot[] = [];
        await store.forEachPortSnapshot((s) => seen.push(s), batchSize);
        expect(seen).toEqual(whole);
      }
      expect(whole).toHaveLength(ids.length);
    });

    it('reads only the snapshots in the statuses asked for, whatever their case', async () => {
      await store.applyPortPoll({
        upserts: [
          snapshot('P1', 'COMPLETED'),
          snapshot('P2', 'FAILED'),
          snapshot('P3', 'In Progress'),
          snapshot('P4', 'CANCELLED'),
        ],
        deletes: [],
        outbox: [],
      });
      const open = await store.getPortSnapshots({ statuses: ['FAILED', 'IN PROGRESS', 'INITIAL'] });
      expect(open.map((s) => [s.portId, s.status])).toEqual([
        ['P2', 'FAILED'],
        ['P3', 'In Progress'],
      ]);
      expect(await store.getPortSnapshots({ statuses: [] })).toEqual([]);
      expect(await store.getPortSnapshots()).toHaveLength(4);
    });

    it('leaves everything as it was when any part of a poll fails', async () => {
      await store.applyPortPoll({ upserts: [snapshot('P1', 'SUBMITTED')], deletes: [], outbox: [], now: T0 });
      const failing = store.applyPortPoll({
        upserts: [snapshot('P1', 'COMPLETED'), snapshot('P2', 'SUBMITTED')],
        deletes: ['P1'],
        // JSON cannot hold a bigint: this item fails after the snapshot writes were made.
        outbox: [outboxItem('ok'), outboxItem('bad', { payload: { n: 1n } })],
        kv: { 'porting.last_poll': 'x' },
        now: T0,
      });
      await expect(failing).rejects.toThrow();

      expect(await store.getPortSnapshots()).toEqual([snapshot('P1', 'SUBMITTED')]);
      expect(await store.dueOutbox(T0, 10)).toEqual([]);
      expect(await store.getKv('porting.last_poll')).toBeNull();
    });

    it('keeps a write made while a failing poll was open, which rolls back only its own', async () => {
      const failing = store.applyPortPoll({
        upserts: [snapshot('P1', 'SUBMITTED')],
        deletes: [],
        outbox: [outboxItem('bad', { payload: { n: 1n } })],
        now: T0,
      });
      const meanwhile = store.setKv('k', 'written meanwhile');
      await expect(failing).rejects.toThrow();
      await meanwhile;
      expect(await store.getKv('k')).toBe('written meanwhile');
      expect(await store.getPortSnapshots()).toEqual([]);
    });

    it('enqueues a dedupeKey once, within one poll and across polls and enqueues', async () => {
      const poll = (key: string, kind: string) =>
        store.applyPortPoll({ upserts: [], deletes: [], outbox: [outboxItem(key, { kind })], now: T0 });
      await store.applyPortPoll({
        upserts: [],
        deletes: [],
        outbox: [
          outboxItem('P1:COMPLETED', { kind: 'first' }),
          outboxItem('P1:COMPLETED', { kind: 'second' }),
        ],
        now: T0,
      });
      await poll('P1:COMPLETED', 'third');
      await store.enqueueOutbox([outboxItem('P1:COMPLETED', { kind: 'fourth' })], T0);

      const due = await store.dueOutbox(T0, 10);
      expect(due.map((i) => [i.dedupeKey, i.kind])).toEqual([['P1:COMPLETED', 'first']]);
    });
  });

  describe('outbox', () => {
    it('returns undelivered due items oldest first, up to the limit', async () => {
      await store.enqueueOutbox([outboxItem('b')], T0 + 10);
      await store.enqueueOutbox(
        [outboxItem('a', { channelId: 'C_X', kind: 'notice', payload: { text: 'hi' } })],
        T0,
      );
      const [first, second] = await store.dueOutbox(T0 + 10, 10);
      expect(first).toEqual({
        id: expect.any(Number),
        dedupeKey: 'a',
        channelId: 'C_X',
        kind: 'notice',
        payload: { text: 'hi' },
        portId: null,
        createdAt: T0,
        attempts: 0,
        nextAttemptAt: T0,
        deliveredAt: null,
        ts: null,
        deadAt: null,
        lastError: null,
      });
      expect(second?.dedupeKey).toBe('b');
      expect((await store.dueOutbox(T0 + 10, 1)).map((i) => i.dedupeKey)).toEqual(['a']);
      expect((await store.dueOutbox(T0 + 9, 10)).map((i) => i.dedupeKey)).toEqual(['a']);
      expect(await store.dueOutbox(T0 - 1, 10)).toEqual([]);
    });

    it('caps the items of each channel, so one backlog cannot hold other channels back', async () => {
      await store.enqueueOutbox(
        Array.from({ length: 20 }, (_, i) => outboxItem(`busy-${i}`, { channelId: 'C_BUSY' })),
        T0,
      );
      await store.enqueueOutbox([outboxItem('quiet', { channelId: 'C_QUIET' })], T0 + 5);
      expect((await store.dueOutbox(T0 + 5, 10)).map((i) => i.dedupeKey)).not.toContain('quiet');
      const fair = await store.dueOutbox(T0 + 5, 10, 3);
      expect(fair.map((i) => i.dedupeKey)).toEqual(['busy-0', 'busy-1', 'busy-2', 'quiet']);
    });

    it('postpones a failed item and counts its attempts', async () => {
      await store.enqueueOutbox([outboxItem('a')], T0);
      const [item] = await store.dueOutbox(T0, 10);
      await store.markOutboxFailed(item!.id, T0 + 5_000, 'channel_not_found');
      expect(await store.dueOutbox(T0 + 4_999, 10)).toEqual([]);
      await store.markOutboxFailed(item!.id, T0 + 9_000, 'ratelimited');
      const [retried] = await store.dueOutbox(T0 + 9_000, 10);
      expect(retried).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 9_000, lastError: 'ratelimited' });
    });

    it('no longer returns a delivered item', async () => {
      await store.enqueueOutbox([outboxItem('a'), outboxItem('b')], T0);
      const [a] = await store.dueOutbox(T0, 10);
      await store.markOutboxDelivered(a!.id, T0 + 1, '1700000000.000100');
      expect((await store.dueOutbox(T0 + 1, 10)).map((i) => i.dedupeKey)).toEqual(['b']);
    });

    it('marks an item delivered only with the ts Slack answered with', async () => {
      await store.enqueueOutbox([outboxItem('a')], T0);
      const [a] = await store.dueOutbox(T0, 10);
      await expect(store.markOutboxDelivered(a!.id, T0 + 1, '')).rejects.toThrow(/ts/);
      expect(await store.dueOutbox(T0 + 1, 10)).toHaveLength(1);
      await store.markOutboxDelivered(a!.id, T0 + 1, '1700000000.000100');
      expect(await store.dueOutbox(T0 + 1, 10)).toEqual([]);
      expect(await store.outboxDepth()).toBe(0);
    });

    it('hands out only the oldest pending item of a port in a channel, however due the later ones are', async () => {
      await store.enqueueOutbox(
        [
          outboxItem('p1-first', { portId: 'P1' }),
          outboxItem('p2', { portId: 'P2' }),
          outboxItem('p1-second', { portId: 'P1' }),
          outboxItem('p1-elsewhere', { portId: 'P1', channelId: 'C_OTHER' }),
          outboxItem('summary'),
        ],
        T0,
      );
      const keys = async (at: number) => (await store.dueOutbox(at, 10)).map((i) => i.dedupeKey);
      expect(await keys(T0)).toEqual(['p1-first', 'p2', 'p1-elsewhere', 'summary']);
      const [first] = await store.dueOutbox(T0, 1);
      await store.markOutboxFailed(first!.id, T0 + 60_000, 'HTTP 500');
      expect(await keys(T0 + 1)).toEqual(['p2', 'p1-elsewhere', 'summary']);
      expect(await keys(T0 + 60_000)).toEqual(['p1-first', 'p2', 'p1-elsewhere', 'summary']);
      await store.markOutboxDelivered(first!.id, T0 + 60_000, '1.1');
      expect(await keys(T0 + 60_000)).toEqual(['p2', 'p1-second', 'p1-elsewhere', 'summary']);
    });

    it('keeps given-up items in a dead-letter list, newest first, and hands them out no more', async () => {
      await store.enqueueOutbox([outboxItem('a', { portId: 'P1' }), outboxItem('b', { portId: 'P1' })], T0);
      await store.enqueueOutbox([outboxItem('c', { channelId: 'C_OTHER' })], T0);
      const [a, c] = await store.dueOutbox(T0, 10);
      await store.markOutboxDead(a!.id, T0 + 1, 'channel_not_found');
      await store.markOutboxDead(c!.id, T0 + 2, 'is_archived');
      expect((await store.dueOutbox(T0 + 2, 10)).map((i) => i.dedupeKey)).toEqual(['b']);
      expect(await store.deadOutbox({ limit: 10 })).toMatchObject([
        { dedupeKey: 'c', deadAt: T0 + 2, lastError: 'is_archived', deliveredAt: null },
        { dedupeKey: 'a', deadAt: T0 + 1, lastError: 'channel_not_found', deliveredAt: null },
      ]);
      expect((await store.deadOutbox({ channelId: 'C_OPS', limit: 10 })).map((i) => i.dedupeKey)).toEqual([
        'a',
      ]);
      expect(await store.outboxDepth()).toBe(1);
    });

    it('can postpone an item without counting an attempt (Slack as a whole failed)', async () => {
      await store.enqueueOutbox([outboxItem('a')], T0);
      const [item] = await store.dueOutbox(T0, 10);
      await store.markOutboxFailed(item!.id, T0 + 2_000, 'invalid_auth', { countAttempt: false });
      const [again] = await store.dueOutbox(T0 + 2_000, 10);
      expect(again).toMatchObject({ attempts: 0, lastError: 'invalid_auth', nextAttemptAt: T0 + 2_000 });
    });

    it('keeps the first item even after it was delivered', async () => {
      await store.enqueueOutbox([outboxItem('a')], T0);
      const [a] = await store.dueOutbox(T0, 10);
      await store.markOutboxDelivered(a!.id, T0 + 1, '1700000000.000100');
      await store.enqueueOutbox([outboxItem('a')], T0 + 2);
      expect(await store.dueOutbox(T0 + 2, 10)).toEqual([]);
    });

    it('defaults the creation time to the clock when none is given', async () => {
      const before = Date.now();
      await store.enqueueOutbox([outboxItem('a')]);
      const [item] = await store.dueOutbox(Date.now(), 10);
      expect(item?.createdAt).toBeGreaterThanOrEqual(before);
      expect(item?.nextAttemptAt).toBe(item?.createdAt);
    });
  });

  describe('alert threads', () => {
    it('stores one thread per channel and port, replacing its ts', async () => {
      expect(await store.getAlertThread('C_A', 'P1')).toBeNull();
      await store.setAlertThread({ channelId: 'C_A', portId: 'P1', ts: '1700000000.000100' });
      await store.setAlertThread({ channelId: 'C_B', portId: 'P1', ts: '1700000000.000200' });
      await store.setAlertThread({ channelId: 'C_A', portId: 'P1', ts: '1700000000.000300' });
      expect(await store.getAlertThread('C_A', 'P1')).toEqual({
        channelId: 'C_A',
        portId: 'P1',
        ts: '1700000000.000300',
      });
      expect((await store.getAlertThread('C_B', 'P1'))?.ts).toBe('1700000000.000200');
      expect(await store.getAlertThread('C_A', 'P2')).toBeNull();
    });
  });

  describe('alert threads of many ports', () => {
    it('finds the threads of the given ports in every channel, with one query', async () => {
      await store.setAlertThread({ channelId: 'C_B', portId: 'P1', ts: '1.1' });
      await store.setAlertThread({ channelId: 'C_A', portId: 'P1', ts: '1.2' });
      await store.setAlertThread({ channelId: 'C_A', portId: 'P2', ts: '1.3' });
      await store.setAlertThread({ channelId: 'C_A', portId: 'P3', ts: '1.4' });
      const ids = ['P1', 'P3', 'P_NONE', ...Array.from({ length: 5_000 }, (_, i) => `X${i}`)];
      expect(await store.alertThreadsOf(ids)).toEqual([
        { channelId: 'C_A', portId: 'P1', ts: '1.2' },
        { channelId: 'C_A', portId: 'P3', ts: '1.4' },
        { channelId: 'C_B', portId: 'P1', ts: '1.1' },
      ]);
      expect(await store.alertThreadsOf([])).toEqual([]);
    });
  });

  describe('key/value state', () => {
    it('sets, overwrites and deletes (null) a value', async () => {
      expect(await store.getKv('porting.paused_since')).toBeNull();
      await store.setKv('porting.paused_since', '1');
      await store.setKv('porting.paused_since', '2');
      await store.setKv('other', 'x');
      expect(await store.getKv('porting.paused_since')).toBe('2');
      await store.setKv('porting.paused_since', null);
      expect(await store.getKv('porting.paused_since')).toBeNull();
      expect(await store.getKv('other')).toBe('x');
    });
  });

  it("lists one person's audit entries, newest first", async () => {
    await store.appendAudit({
      at: T0,
      userId: 'U_A',
      channelId: null,
      operation: 'qr',
      target: '1',
      event: 'succeeded',
      detail: null,
    });
    await store.appendAudit({
      at: T0 + 1,
      userId: 'U_B',
      channelId: null,
      operation: 'qr',
      target: '1',
      event: 'succeeded',
      detail: null,
    });
    await store.appendAudit({
      at: T0 + 2,
      userId: 'U_A',
      channelId: null,
      operation: 'cease',
      target: '2',
      event: 'failed',
      detail: null,
    });
    expect((await store.listAudit({ userId: 'U_A', limit: 10 })).map((e) => e.operation)).toEqual([
      'cease',
      'qr',
    ]);
    expect((await store.listAudit({ userId: 'U_A', target: '1', limit: 10 })).map((e) => e.at)).toEqual([T0]);
  });

  describe('eSIM follow-ups', () => {
    const followUp = (over: Partial<Parameters<Store['addEsimFollowUp']>[0]> = {}) => ({
      mpn: '447700900124',
      iccid: '8944530100000001023',
      iAccount: null,
      channelId: 'C_OPS',
      messageTs: '1700000000.000100',
      fileId: 'F1',
      requesterId: 'U_ALICE',
      startedAt: T0,
      deadlineAt: T0 + 86_400_000,
      ...over,
    });

    it('adds a waiting follow-up, due at once, and supersedes an earlier one of the same eSIM', async () => {
      const first = await store.addEsimFollowUp(followUp());
      expect(first).toMatchObject({ status: 'waiting', nextCheckAt: T0, failures: 0, installedAt: null });
      const second = await store.addEsimFollowUp(followUp({ startedAt: T0 + 5, fileId: 'F2' }));
      expect((await store.dueEsimFollowUps(T0 + 10, 10)).map((f) => f.id)).toEqual([second.id]);
      expect((await store.listEsimFollowUps(['superseded'], 10)).map((f) => f.id)).toEqual([first.id]);
    });

    it('moves a follow-up on only from the state given, so an outcome is claimed once', async () => {
      const f = await store.addEsimFollowUp(followUp());
      expect(
        await store.updateEsimFollowUp(f.id, 'waiting', {
          status: 'announcing_installed',
          installedAt: T0 + 1,
        }),
      ).toBe(true);
      expect(await store.updateEsimFollowUp(f.id, 'waiting', { status: 'announcing_installed' })).toBe(false);
      expect(
        await store.updateEsimFollowUp(f.id, 'announcing_installed', {
          status: 'installed',
          finishedAt: T0 + 2,
        }),
      ).toBe(true);
      const [done] = await store.listEsimFollowUps(['installed'], 10);
      expect(done).toMatchObject({ installedAt: T0 + 1, finishedAt: T0 + 2 });
      expect(await store.dueEsimFollowUps(T0 + 10_000, 10)).toEqual([]);
    });
  });

  describe('usage watches', () => {
    const watch = {
      channelId: 'C_OPS',
      mpn: '447700900123',
      threshold: 80,
      createdBy: 'U_ALICE',
      createdAt: T0,
    };

    it('adds one watch per channel and line; adding again changes the threshold', async () => {
      const a = await store.upsertUsageWatch(watch);
      expect(a.created).toBe(true);
      expect(a.watch).toMatchObject({
        threshold: 80,
        thresholdAlert: 0,
        fullAlert: 0,
        period: null,
        nextCheckAt: T0,
      });
      const b = await store.upsertUsageWatch({ ...watch, threshold: 90 });
      expect(b).toMatchObject({ created: false, watch: { id: a.watch.id, threshold: 90 } });
      expect(await store.listUsageWatches('C_OPS')).toHaveLength(1);
      expect(await store.removeUsageWatch('C_OPS', watch.mpn)).toBe(true);
      expect(await store.removeUsageWatch('C_OPS', watch.mpn)).toBe(false);
    });

    it('claims an alert only while the flags are as expected', async () => {
      const { watch: w } = await store.upsertUsageWatch(watch);
      const armed = { period: null, thresholdAlert: 0, fullAlert: 0 } as const;
      expect(await store.updateUsageWatch(w.id, { period: 'P1' }, armed)).toBe(true);
      const p1 = { period: 'P1', thresholdAlert: 0, fullAlert: 0 } as const;
      expect(await store.updateUsageWatch(w.id, { thresholdAlert: 1 }, p1)).toBe(true);
      expect(await store.updateUsageWatch(w.id, { thresholdAlert: 1 }, p1)).toBe(false);
      await store.updateUsageWatch(w.id, { lastPercent: 85.5, nextCheckAt: T0 + 900_000 });
      const [after] = await store.listUsageWatches();
      expect(after).toMatchObject({ period: 'P1', thresholdAlert: 1, lastPercent: 85.5 });
      expect(await store.dueUsageWatches(T0 + 1, 10)).toEqual([]);
      expect(await store.dueUsageWatches(T0 + 900_000, 10)).toHaveLength(1);
    });
  });

  describe('lease locks', () => {
    it('lets a holder take and renew a lock while others are refused until the lease expires', async () => {
      expect(await store.tryLock('poller', 'A', 1_000, T0)).toBe(true);
      expect(await store.tryLock('poller', 'B', 1_000, T0 + 500)).toBe(false);
      expect(await store.tryLock('poller', 'A', 1_000, T0 + 900)).toBe(true); // renewed to T0 + 1900
      expect(await store.tryLock('poller', 'B', 1_000, T0 + 1_500)).toBe(false);
      expect(await store.tryLock('other', 'B', 1_000, T0 + 1_500)).toBe(true);
      expect(await store.tryLock('poller', 'B', 1_000, T0 + 1_900)).toBe(true); // A's lease ran out
      expect(await store.tryLock('poller', 'A', 1_000, T0 + 2_000)).toBe(false);
    });

    it('releases only for the holder', async () => {
      await store.tryLock('poller', 'A', 60_000, T0);
      await store.releaseLock('poller', 'B');
      expect(await store.tryLock('poller', 'B', 60_000, T0 + 1)).toBe(false);
      await store.releaseLock('poller', 'A');
      expect(await store.tryLock('poller', 'B', 60_000, T0 + 2)).toBe(true);
    });

    it('gives a lock to exactly one of several instances racing for it', async () => {
      const other = await open();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).tryLock('poller', `H${i}`, 1_000, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('belonging to one ONSIM', () => {
    const real = { sandbox: false, baseUrl: 'https://api.onsimapp.com' };
    const sandbox = { sandbox: true, baseUrl: 'https://api.onsimapp.com' };
    const openFor = (onsim: OnsimIdentity) => track(openStore(engine.url(location), { onsim }));
    const refusal = (onsim: OnsimIdentity) =>
      openStore(engine.url(location), { onsim }).then(
        (s) => {
          openStores.add(s);
          return null;
        },
        (e: unknown) => e,
      );

    it('records the ONSIM on first opening and opens again for the same one', async () => {
      await close(await openFor(real));
      const again = await openFor({ sandbox: false, baseUrl: 'https://api.onsimapp.com/' });
      expect(await again.getKv('store.onsim')).toBe('https://api.onsimapp.com');
    });

    it('refuses the sandbox on a database of the real ONSIM, saying what to change', async () => {
      await close(await openFor(real));
      const error = await refusal(sandbox);
      expect(error).toBeInstanceOf(StoreOwnerError);
      expect(String(error)).toContain('created for the ONSIM at https://api.onsimapp.com');
      expect(String(error)).toContain('uses the built-in ONSIM sandbox (ONSIM_API_KEY is not set)');
      expect(String(error)).toContain('sqlite:./data/onsim-bot.sandbox.db');
    });

    it('refuses the real ONSIM on a sandbox database', async () => {
      await close(await openFor({ ...sandbox, baseUrl: 'http://127.0.0.1:4567' }));
      const error = await refusal(real);
      expect(error).toBeInstanceOf(StoreOwnerError);
      expect(String(error)).toContain('created for the built-in ONSIM sandbox');
      expect(String(error)).toContain('sqlite:./data/onsim-bot.db');
    });

    it('refuses another base URL, and never shows credentials in it', async () => {
      await close(await openFor({ sandbox: false, baseUrl: 'https://user:hunter2@onsim.example/v1/' }));
      const error = await refusal(real);
      expect(String(error)).toContain('Set ONSIM_BASE_URL back to https://onsim.example/v1');
      expect(String(error)).not.toContain('hunter2');
      // The refused opening recorded nothing and left the database as it was.
      const plain = await open();
      expect(await plain.getKv('store.onsim')).toBe('https://onsim.example/v1');
    });
  });

  describe('opening', () => {
    it('keeps the data when the same database is opened again', async () => {
      const c = await store.createConfirmation(confirmation());
      await store.setKv('k', 'v');
      await close(store);
      const reopened = await open();
      expect(await reopened.getConfirmation(c.id)).toEqual(c);
      expect(await reopened.getKv('k')).toBe('v');
    });

    it('lets two instances open a fresh database at the same time', async () => {
      location = await engine.newDatabase();
      const [first, second] = await Promise.all([open(), open()]);
      await first.setKv('k', 'from first');
      expect(await second.getKv('k')).toBe('from first');
    });
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3… in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('run once on SQLite: reopening the file applies none and keeps the record', async () => {
    const file = sqliteFile();
    await close(await track(openSqliteStore(file)));
    const recorded = readMigrationRecord(file);
    expect(recorded.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));

    await close(await track(openSqliteStore(file)));
    expect(readMigrationRecord(file)).toEqual(recorded);
    const db = new Database(file);
    try {
      expect(await migrateSqlite(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('run once on PostgreSQL even when two instances start together', async () => {
    const url = await freshPostgresUrl();
    await Promise.all([track(openPostgresStore(url)), track(openPostgresStore(url))]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migratePostgres(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});

describe('migration 3 (outbox delivery record)', () => {
  it('moves the items older versions marked delivered when they gave up to the dead letters', async () => {
    const file = sqliteFile();
    const db = new Database(file);
    try {
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      for (const m of MIGRATIONS.filter((m) => m.version < 3)) {
        db.exec(m.up(SQLITE));
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, T0);
      }
      const insert = db.prepare(
        `INSERT INTO outbox (dedupe_key, channel_id, kind, payload, created_at, next_attempt_at, delivered_at, last_error)
         VALUES (?, 'C_OPS', 'port_alert', '{}', ?, ?, ?, ?)`,
      );
      insert.run('gave-up', T0, T0, T0 + 5, 'gave up: channel_not_found');
      insert.run('posted', T0, T0, T0 + 6, null);
    } finally {
      db.close();
    }
    const store = await track(openSqliteStore(file));
    expect(await store.deadOutbox({ limit: 10 })).toMatchObject([
      { dedupeKey: 'gave-up', deadAt: T0 + 5, deliveredAt: null, lastError: 'gave up: channel_not_found' },
    ]);
    expect(await store.outboxDepth()).toBe(0);
  });
});

interface MigrationRecord {
  version: number;
  name: string;
  applied_at: number;
}

function readMigrationRecord(file: string): MigrationRecord[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], MigrationRecord>('SELECT * FROM schema_migrations ORDER BY version').all();
  } finally {
    db.close();
  }
}

describe('SQLite files', () => {
  it('resolves a relative path against the working directory and creates missing directories', async () => {
    const file = join(tmp, 'nested', 'deeper', 'bot.db');
    await track(openSqliteStore(relative(process.cwd(), file)));
    expect(existsSync(file)).toBe(true);
  });

  it('uses write-ahead logging', async () => {
    const file = sqliteFile();
    await track(openSqliteStore(file));
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});

describe('openStore', () => {
  it('opens SQLite for sqlite:<path>', async () => {
    const file = sqliteFile();
    const store = await track(openStore(`sqlite:${file}`));
    expect(store.engine).toBe('sqlite');
    expect(existsSync(file)).toBe(true);
  });

  it('opens an in-memory SQLite database for sqlite::memory:', async () => {
    const store = await track(openStore('sqlite::memory:'));
    await store.setKv('k', 'v');
    expect(await store.getKv('k')).toBe('v');
    expect(existsSync(join(process.cwd(), ':memory:'))).toBe(false);
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    const url = await emptiedPostgresDatabase();
    expect((await track(openStore(url))).engine).toBe('postgres');
    expect((await track(openStore(url.replace(/^postgres:/, 'postgresql:')))).engine).toBe('postgres');
  });

  it.each(['mysql://app:hunter2@db/bot', './data/bot.db', 'sqlite:', 'sqlite://data/bot.db', ''])(
    'rejects %j, naming DATABASE_URL and the accepted forms',
    async (url) => {
      const error = await openStore(url).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(/DATABASE_URL must be sqlite:<path> .* or postgres:\/\//);
      expect(String(error)).not.toMatch(/hunter2/);
    },
  );
});

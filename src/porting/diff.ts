import type { Port } from '../onsim/porting.js';
import type { PortSnapshot } from '../store/types.js';

export type PortEventKind = 'new' | 'changed' | 'gone';

/** One thing that happened to a port between two polls. */
export interface PortEvent {
  kind: PortEventKind;
  portId: string;
  /** Status before ('changed', 'gone'); normalised, e.g. 'IN PROGRESS'. */
  from?: string;
  /** Status now ('new', 'changed'); normalised. */
  to?: string;
  /** The port as ONSIM shows it now, or as it was last seen for 'gone'. */
  port: Port;
  /** When the previous state was recorded ('changed', 'gone'): tells repeated events apart. */
  previousSeenAt?: number;
}

export interface PortDiff {
  events: PortEvent[];
  /** Snapshots to write: new ports and ports whose status or data changed. */
  upserts: PortSnapshot[];
  /** Port ids ONSIM no longer lists. */
  deletes: string[];
}

/** 'in progress', 'IN_PROGRESS', 'In-Progress' → 'IN PROGRESS'. */
export function normaliseStatus(status: string): string {
  return status
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, ' ');
}

/** What the watcher last saw of one port. */
interface Known {
  status: string;
  data: Record<string, unknown>;
  seenAt: number;
  /** The diff that last found the port in ONSIM's list (tells listed from gone in one pass). */
  listedIn: number;
}

/**
 * The ports as the last poll saw them, kept between polls so that a poll reads nothing back from
 * the store. The store stays the truth: a new lease holder builds its memory from the snapshots,
 * and after a write the memory takes the diff only once the store has it.
 */
export class PortMemory {
  private readonly known = new Map<string, Known>();
  private diffs = 0;

  constructor(snapshots: Iterable<PortSnapshot> = []) {
    for (const s of snapshots) this.known.set(s.portId, known(s));
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * Compares ONSIM's current list with what was seen, in one pass over the list (and one over the
   * memory only when some port was not listed). Events come in ONSIM's order, then the gone
   * ports. A port whose data changed but not its status is upserted without an event, so later
   * alerts render its latest fields. `now` is the seenAt of the written snapshots. Changes nothing:
   * `remember` takes the diff once it is stored.
   */
  diff(current: readonly Port[], now: number): PortDiff {
    const pass = ++this.diffs;
    const events: PortEvent[] = [];
    const upserts: PortSnapshot[] = [];
    let listed = 0;
    let added: Set<string> | undefined;

    for (const port of current) {
      const portId = port.trID;
      const before = this.known.get(portId);
      if (before === undefined) {
        added ??= new Set();
        if (added.has(portId)) continue; // ONSIM listed it twice: the first entry wins
        added.add(portId);
        const status = normaliseStatus(port.status);
        events.push({ kind: 'new', portId, to: status, port });
        upserts.push(snapshotOf(port, status, now));
        continue;
      }
      if (before.listedIn === pass) continue;
      before.listedIn = pass;
      listed++;
      const status = before.status === port.status ? port.status : normaliseStatus(port.status);
      if (before.status !== status) {
        events.push({
          kind: 'changed',
          portId,
          from: before.status,
          to: status,
          port,
          previousSeenAt: before.seenAt,
        });
        upserts.push(snapshotOf(port, status, now));
      } else if (!sameData(before.data, port)) {
        upserts.push(snapshotOf(port, status, now));
      }
    }

    const deletes: string[] = [];
    if (listed < this.known.size) {
      for (const [portId, before] of this.known) {
        if (before.listedIn === pass) continue;
        deletes.push(portId);
        events.push({
          kind: 'gone',
          portId,
          from: before.status,
          port: portFromSnapshot({ portId, ...before }),
          previousSeenAt: before.seenAt,
        });
      }
    }
    return { events, upserts, deletes };
  }

  /** Takes a diff the store now holds as what was seen. */
  remember(diff: Pick<PortDiff, 'upserts' | 'deletes'>): void {
    for (const s of diff.upserts) {
      const before = this.known.get(s.portId);
      this.known.set(s.portId, { ...known(s), listedIn: before?.listedIn ?? 0 });
    }
    for (const portId of diff.deletes) this.known.delete(portId);
  }
}

const known = (s: PortSnapshot): Known => ({ status: s.status, data: s.data, seenAt: s.seenAt, listedIn: 0 });

/** Compares the last known ports with ONSIM's current list (see PortMemory.diff). */
export function diffPorts(
  previous: readonly PortSnapshot[],
  current: readonly Port[],
  now: number,
): PortDiff {
  return new PortMemory(previous).diff(current, now);
}

// Hot loops (100,000 ports a poll) call named functions rather than closures made per port.
// The port itself as data: each poll's ports are fresh objects that nothing else changes.
const snapshotOf = (port: Port, status: string, seenAt: number): PortSnapshot => ({
  portId: port.trID,
  status,
  data: port,
  seenAt,
});

/** The port stored in a snapshot; the snapshot's id and status win over whatever data holds. */
export function portFromSnapshot(snapshot: PortSnapshot): Port {
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const d = snapshot.data;
  return {
    ...d,
    trID: snapshot.portId,
    status: snapshot.status,
    number: text(d.number),
    orderDate: text(d.orderDate),
    PAC: text(d.PAC),
    portinDate: text(d.portinDate),
    portinNumber: text(d.portinNumber),
    resellerId: text(d.resellerId),
    type: text(d.type),
    updatedDate: text(d.updatedDate),
    validUntil: text(d.validUntil),
  };
}

/** Field-by-field equality (undefined = absent); nested values compared as key-sorted JSON. */
function sameData(stored: Record<string, unknown>, port: Record<string, unknown>): boolean {
  let fields = 0;
  for (const key in port) {
    const value = port[key];
    if (value === undefined) continue;
    fields++;
    const old = stored[key];
    if (value === old) continue;
    if (typeof value !== 'object' || value === null || stableJson(value) !== stableJson(old)) return false;
  }
  let storedFields = 0;
  for (const key in stored) if (stored[key] !== undefined) storedFields++;
  return fields === storedFields;
}

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

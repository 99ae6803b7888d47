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

/** A comparison in progress (PortMemory.begin). */
export interface PortReading {
  add(port: Port): void;
  /** The diff of the ports added; `now` is the seenAt of the snapshots to write. */
  end(now: number): PortDiff;
  /** Ports added so far (one ONSIM listed twice counts twice). */
  readonly count: number;
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
  portId: string;
  status: string;
  data: Record<string, unknown>;
  /** How many fields of `data` are defined (so a comparison walks only the new port's). */
  fields: number;
  seenAt: number;
  /** The diff that last found the port in ONSIM's list (tells listed from gone in one pass). */
  listedIn: number;
}

/**
 * The ports as the last poll saw them, kept between polls so that a poll reads nothing back from
 * the store. The store stays the truth: a new lease holder builds its memory from the snapshots,
 * and after a write the memory takes the diff only once the store has it.
 * ONSIM lists its ports in the same order poll after poll, so each port is first looked for at
 * its place in the last list, and by id only when it is not there: hashing 100,000 fresh ids
 * would cost more than the whole comparison.
 */
export class PortMemory {
  private readonly byId = new Map<string, Known>();
  /** In the order of the last list. */
  private inOrder: Known[] = [];
  private passes = 0;
  /** The order of the last diff's list, when it differs from `inOrder`. */
  private reordered: { diff: PortDiff; ids: string[] } | null = null;

  constructor(snapshots: Iterable<PortSnapshot> = []) {
    for (const s of snapshots) this.add(s);
  }

  /** Takes one stored snapshot as seen (a new lease holder's memory, built before any diff). */
  add(s: PortSnapshot): void {
    const before = this.byId.get(s.portId);
    const entry = known(s);
    this.byId.set(s.portId, entry);
    if (before) this.inOrder[this.inOrder.indexOf(before)] = entry;
    else this.inOrder.push(entry);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Compares ONSIM's current list with what was seen, in one pass over the list (and one over the
   * memory only when some port was not listed). Events come in ONSIM's order, then the gone
   * ports. A port whose data changed but not its status is upserted without an event, so later
   * alerts render its latest fields. `now` is the seenAt of the written snapshots. Changes nothing
   * that matters: `remember` takes the diff once it is stored.
   */
  diff(current: readonly Port[], now: number): PortDiff {
    const reading = this.begin();
    for (const port of current) reading.add(port);
    return reading.end(now);
  }

  /**
   * The same comparison a port at a time, as the list arrives: `add` each port in ONSIM's order,
   * then `end`. A reading begun anew (a retried request) makes the earlier one void.
   */
  begin(): PortReading {
    const pass = ++this.passes;
    const { byId, inOrder } = this;
    const events: PortEvent[] = [];
    const upserts: PortSnapshot[] = [];
    let count = 0;
    let listed = 0;
    let added: Set<string> | undefined;
    /** Ids in the current order, collected from the first port out of place on. */
    let ids: string[] | undefined;

    const add = (port: Port): void => {
      const i = count++;
      const portId = port.trID;
      let before = inOrder[i];
      if (before === undefined || before.portId !== portId) {
        // Every port up to here was at its place: the ids so far are the memory's.
        ids ??= inOrder.slice(0, i).map((k) => k.portId);
        before = byId.get(portId);
      }
      if (before === undefined) {
        added ??= new Set();
        if (added.has(portId)) return; // ONSIM listed it twice: the first entry wins
        added.add(portId);
        ids?.push(portId);
        const status = normaliseStatus(port.status);
        events.push({ kind: 'new', portId, to: status, port });
        upserts.push(snapshotOf(port, status));
        return;
      }
      if (before.listedIn === pass) return;
      before.listedIn = pass;
      listed++;
      ids?.push(portId);
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
        upserts.push(snapshotOf(port, status));
      } else if (!sameData(before, port)) {
        upserts.push(snapshotOf(port, status));
      }
    };

    const end = (now: number): PortDiff => {
      for (const s of upserts) s.seenAt = now;
      const deletes: string[] = [];
      if (listed < byId.size) {
        for (const before of inOrder) {
          if (before.listedIn === pass) continue;
          deletes.push(before.portId);
          events.push({
            kind: 'gone',
            portId: before.portId,
            from: before.status,
            port: portFromSnapshot(before),
            previousSeenAt: before.seenAt,
          });
        }
      }
      const diff = { events, upserts, deletes };
      if (ids === undefined && listed + (added?.size ?? 0) !== inOrder.length) {
        ids = inOrder.slice(0, count).map((k) => k.portId); // ports gone from the end of the list
      }
      this.reordered = ids ? { diff, ids } : null;
      return diff;
    };

    return {
      add,
      end,
      get count() {
        return count;
      },
    };
  }

  /** Takes a diff the store now holds as what was seen. */
  remember(diff: PortDiff): void {
    for (const s of diff.upserts) {
      const before = this.byId.get(s.portId);
      if (before) {
        before.status = s.status;
        before.data = s.data;
        before.fields = definedFields(s.data);
        before.seenAt = s.seenAt;
      } else {
        this.byId.set(s.portId, known(s));
      }
    }
    for (const portId of diff.deletes) this.byId.delete(portId);
    if (this.reordered?.diff === diff) {
      const order: Known[] = [];
      for (const id of this.reordered.ids) {
        const entry = this.byId.get(id);
        if (entry) order.push(entry);
      }
      this.inOrder = order;
    }
    this.reordered = null;
  }
}

const known = (s: PortSnapshot): Known => ({
  portId: s.portId,
  status: s.status,
  data: s.data,
  fields: definedFields(s.data),
  seenAt: s.seenAt,
  listedIn: 0,
});

function definedFields(data: Record<string, unknown>): number {
  let count = 0;
  for (const key in data) if (data[key] !== undefined) count++;
  return count;
}

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
/** seenAt is set when the reading ends. */
const snapshotOf = (port: Port, status: string): PortSnapshot => ({
  portId: port.trID,
  status,
  data: port,
  seenAt: 0,
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
function sameData(before: Known, port: Record<string, unknown>): boolean {
  const stored = before.data;
  let fields = 0;
  for (const key in port) {
    const value = port[key];
    if (value === undefined) continue;
    fields++;
    const old = stored[key];
    if (value === old) continue;
    if (typeof value !== 'object' || value === null || stableJson(value) !== stableJson(old)) return false;
  }
  return fields === before.fields;
}

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

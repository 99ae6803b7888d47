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

/**
 * Compares the last known ports with ONSIM's current list. Events come in ONSIM's order, then
 * the gone ports. A port whose data changed but not its status is upserted without an event, so
 * later alerts render its latest fields. `now` is the seenAt of the written snapshots.
 */
export function diffPorts(
  previous: readonly PortSnapshot[],
  current: readonly Port[],
  now: number,
): PortDiff {
  const known = new Map(previous.map((s) => [s.portId, s]));
  const seen = new Set<string>();
  const events: PortEvent[] = [];
  const upserts: PortSnapshot[] = [];

  for (const port of current) {
    const portId = port.trID;
    if (seen.has(portId)) continue; // ONSIM listed it twice: the first entry wins
    seen.add(portId);
    const status = normaliseStatus(port.status);
    const before = known.get(portId);
    if (!before) {
      events.push({ kind: 'new', portId, to: status, port });
      upserts.push(snapshotOf(port, status, now));
    } else if (before.status !== status) {
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
  for (const before of previous) {
    if (seen.has(before.portId)) continue;
    deletes.push(before.portId);
    events.push({
      kind: 'gone',
      portId: before.portId,
      from: before.status,
      port: portFromSnapshot(before),
      previousSeenAt: before.seenAt,
    });
  }
  return { events, upserts, deletes };
}

// Hot loops (100,000 ports a poll) call named functions rather than closures made per port.
const snapshotOf = (port: Port, status: string, seenAt: number): PortSnapshot => ({
  portId: port.trID,
  status,
  data: { ...port },
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

import {
  addDays,
  addWorkingDays,
  formatUpdatedDate,
  isoDay,
  newPac,
  PORT_STATUSES,
  type Port,
  type PortStatus,
  RESELLER_ID,
  type Rng,
  type SandboxState,
} from './state.js';

/** Ofcom's drama range (07700 900000–900999): numbers that belong to nobody. */
const DRAMA_NUMBERS = Array.from({ length: 1000 }, (_, i) => `447700900${String(i).padStart(3, '0')}`);
export const dramaNumber = (rng: Rng): string => rng.pick(DRAMA_NUMBERS);

export const isPortStatus = (s: string): s is PortStatus => (PORT_STATUSES as readonly string[]).includes(s);

/** A port-in ordered at `orderedAt`: PAC valid 30 days, port scheduled 1–5 working days later. */
export function makePort(
  rng: Rng,
  fields: { trID: string; number: string; portinNumber: string; status: PortStatus; orderedAt: number },
): Port {
  const { orderedAt } = fields;
  const portinAt = addWorkingDays(orderedAt, 1 + rng.int(5));
  // The last change happened between the order and the port date.
  const updatedAt = orderedAt + rng.int(Math.max(1, portinAt - orderedAt));
  return {
    trID: fields.trID,
    number: fields.number,
    orderDate: isoDay(orderedAt),
    PAC: newPac(rng),
    portinDate: isoDay(portinAt),
    portinNumber: fields.portinNumber,
    resellerId: RESELLER_ID,
    status: fields.status,
    type: 'PORT-IN',
    updatedDate: formatUpdatedDate(updatedAt),
    validUntil: isoDay(addDays(orderedAt, 30)),
  };
}

function activeMpns(state: SandboxState): string[] {
  const mpns: string[] = [];
  for (const s of state.subscribers.values()) mpns.push(s.mpn);
  return mpns;
}

/** A new INITIAL port-in ordered now; `overrides` win (a given trID must be free). */
export function addPort(
  state: SandboxState,
  rng: Rng,
  overrides: Partial<Port> = {},
  now = Date.now(),
): Port {
  const trID = overrides.trID ?? String(state.nextPortId++);
  if (state.ports.has(trID)) throw new Error(`port ${trID} already exists`);
  const mpns = activeMpns(state);
  const port: Port = {
    ...makePort(rng, {
      trID,
      number: mpns.length > 0 ? rng.pick(mpns) : dramaNumber(rng),
      portinNumber: dramaNumber(rng),
      status: 'INITIAL',
      orderedAt: now,
    }),
    updatedDate: formatUpdatedDate(now),
    ...overrides,
  };
  state.ports.set(trID, port);
  return port;
}

/** One step for every open port: INITIAL → IN PROGRESS → COMPLETE (about 3 in 4) or FAILED. */
export function advancePorts(state: SandboxState, rng: Rng, now = Date.now()): Port[] {
  const changed: Port[] = [];
  const updatedDate = formatUpdatedDate(now);
  for (const port of state.ports.values()) {
    if (port.status === 'INITIAL') port.status = 'IN PROGRESS';
    else if (port.status === 'IN PROGRESS') port.status = rng.chance(0.75) ? 'COMPLETE' : 'FAILED';
    else continue;
    port.updatedDate = updatedDate;
    changed.push(port);
  }
  return changed;
}

export function setPortStatus(state: SandboxState, id: string, status: string, now = Date.now()): Port {
  const port = state.ports.get(id);
  if (!port) throw new Error(`no port ${id}`);
  if (!isPortStatus(status)) throw new Error(`status must be one of ${PORT_STATUSES.join(', ')}`);
  port.status = status;
  port.updatedDate = formatUpdatedDate(now);
  return port;
}

const BULK_MIX: readonly PortStatus[] = [
  'INITIAL',
  'INITIAL',
  'IN PROGRESS',
  'IN PROGRESS',
  'COMPLETE',
  'COMPLETE',
  'COMPLETE',
  'COMPLETE',
  'FAILED',
  'CLOSED',
];

/** Adds `n` ports in mixed states, ordered over the 60 days before `now`. Fast enough for 100,000. */
export function seedPorts(state: SandboxState, rng: Rng, n: number, now = Date.now()): void {
  const mpns = activeMpns(state);
  for (let i = 0; i < n; i++) {
    const trID = String(state.nextPortId++);
    state.ports.set(
      trID,
      makePort(rng, {
        trID,
        number: mpns.length > 0 ? rng.pick(mpns) : dramaNumber(rng),
        portinNumber: dramaNumber(rng),
        status: rng.pick(BULK_MIX),
        orderedAt: now - rng.int(60 * 86_400_000),
      }),
    );
  }
}

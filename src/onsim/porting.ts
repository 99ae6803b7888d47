import { z } from 'zod';
import { type OnsimHttp, seg } from './http.js';
import { IdString, listOf, validateInput } from './shapes.js';

export const PORT_STATES = ['INITIAL', 'IN PROGRESS', 'FAILED', 'COMPLETE', 'CLOSED'] as const;
export type PortState = (typeof PORT_STATES)[number];
export const PortStateFilter = z.enum(['ALL', ...PORT_STATES], {
  message: `A port state is one of ALL, ${PORT_STATES.join(', ')}.`,
});
export type PortStateFilter = z.infer<typeof PortStateFilter>;

/** Text ONSIM may send as a number; null (or no field) is absent. */
const Text = z
  .union([z.string(), z.number(), z.null()])
  .transform((v) => (v === null ? undefined : String(v)))
  .optional();

export const Port = z.looseObject({
  trID: IdString,
  number: Text,
  orderDate: Text,
  PAC: Text,
  portinDate: Text,
  portinNumber: Text,
  resellerId: Text,
  status: z.string(),
  type: Text,
  /** Not ISO, e.g. "Jan 2, 2025 1:20:30 PM": shown as text. */
  updatedDate: Text,
  validUntil: Text,
});
export type Port = z.infer<typeof Port>;

const TEXT_FIELDS = [
  'number',
  'orderDate',
  'PAC',
  'portinDate',
  'portinNumber',
  'resellerId',
  'type',
  'updatedDate',
  'validUntil',
] as const;
const LIST_KEYS = ['portQueue', 'port', 'ports'];

/**
 * `Port` read by hand, by the same rules (id and texts as strings or numbers, null as absent,
 * unknown fields kept), because zod takes about a second over the 100,000 ports the watcher polls.
 * The object is JSON.parse's own, so it is corrected in place rather than copied. Undefined when
 * anything breaks a rule: zod then reads the answer (corrected values pass it alike) and names
 * the problem.
 */
function readPort(value: unknown): Port | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const { trID, status } = fields;
  if (typeof status !== 'string') return undefined;
  if (typeof trID === 'number') fields.trID = String(trID);
  else if (typeof trID !== 'string') return undefined;
  for (const field of TEXT_FIELDS) {
    const text = fields[field];
    if (text === undefined || typeof text === 'string') continue;
    if (text === null) fields[field] = undefined;
    else if (typeof text === 'number') fields[field] = String(text);
    else return undefined;
  }
  return fields as Port;
}

/** The common answers (a bare array, or one under a documented key) read fast, else undefined. */
function readPortList(body: unknown): Port[] | undefined {
  let list: unknown = body;
  if (!Array.isArray(list) && typeof body === 'object' && body !== null) {
    list = LIST_KEYS.map((key) => Reflect.get(body, key)).find(Array.isArray);
  }
  if (!Array.isArray(list)) return undefined;
  const ports: Port[] = [];
  for (const item of list) {
    const port = readPort(item);
    if (!port) return undefined;
    ports.push(port);
  }
  return ports;
}

/** Documented as `portQueue`, shown as `port`: accept either key or a bare array. */
const PortListBySchema = listOf(Port, LIST_KEYS);
const PortList = z.unknown().transform((body, ctx): Port[] => {
  const fast = readPortList(body);
  if (fast) return fast;
  const parsed = PortListBySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
  return z.NEVER;
});

export async function listPorts(http: OnsimHttp, state: PortStateFilter = 'ALL'): Promise<Port[]> {
  const op = 'port list';
  const valid = validateInput(op, PortStateFilter, state);
  return http({
    operation: op,
    method: 'GET',
    path: `/port/all/${seg(valid)}`,
    kind: 'read',
    response: PortList,
  });
}

const PortResponse = z.preprocess((body) => {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'port' in body && !('trID' in body)) {
    const inner = body.port;
    return Array.isArray(inner) ? inner[0] : inner;
  }
  return body;
}, Port);

export async function getPort(http: OnsimHttp, id: string): Promise<Port> {
  const op = 'port lookup';
  const valid = validateInput(
    op,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A port id is letters and digits, e.g. 1042.'),
    id,
  );
  return http({
    operation: op,
    method: 'GET',
    path: `/port/${seg(valid)}`,
    kind: 'read',
    response: PortResponse,
  });
}

import { z } from 'zod';
import { type OnsimHttp, type OnsimStreamingHttp, parseAnswer, seg } from './http.js';
import { LIST_MARK, NotJsonError, OddListError, readJsonList } from './json-list.js';
import { IdString, listIn, listOf, validateInput } from './shapes.js';

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

/** Takes the ports of one reading of the port list, in ONSIM's order. */
export interface PortSink {
  add(port: Port): void;
}

/** An answer streamPorts reads whole instead: its list could not be told apart as it arrived. */
class ReadWhole extends Error {}

/**
 * The port list read as it arrives (see json-list.ts): each port goes to a sink as soon as its
 * chunk is in, so neither the answer's text nor all its ports are ever held at once. `open` gives
 * a fresh sink for each reading (a retried attempt starts over); the sink of the reading that got
 * the whole list is returned. Read by the same rules as listPorts: an answer that is not JSON is
 * refused alike, and an answer whose list is not plain (anything but objects, an unreadable port,
 * another array that may be the list) is asked for once more and read whole, so that what it
 * yields, or why it is refused, is exactly listPorts'.
 */
export async function streamPorts<S extends PortSink>(
  http: OnsimStreamingHttp,
  state: PortStateFilter,
  open: () => S,
): Promise<S> {
  const op = 'port list';
  const valid = validateInput(op, PortStateFilter, state);
  const read = async (body: AsyncIterable<Uint8Array>): Promise<S> => {
    const sink = open();
    let outcome: Awaited<ReturnType<typeof readJsonList>>;
    try {
      outcome = await readJsonList(body, (items) => {
        for (const item of items) {
          const port = readPort(item);
          if (!port) throw new ReadWhole();
          sink.add(port);
        }
      });
    } catch (err) {
      if (err instanceof OddListError) throw new ReadWhole();
      // Refused as listPorts refuses any text that is not JSON.
      if (err instanceof NotJsonError) parseAnswer(op, PortList, NOT_JSON);
      throw err;
    }
    if (!outcome.streamed) {
      for (const port of parseAnswer(op, PortList, outcome.text)) sink.add(port);
      return sink;
    }
    // The list is found as listPorts' schema would find it (shapes.ts's listIn).
    const list = listIn(outcome.outer, LIST_KEYS);
    if (!Array.isArray(list) || list.length !== 1 || list[0] !== LIST_MARK) throw new ReadWhole();
    return sink;
  };
  try {
    return await http.stream({ operation: op, path: `/port/all/${seg(valid)}`, read });
  } catch (err) {
    if (!(err instanceof ReadWhole)) throw err;
  }
  const sink = open();
  for (const port of await listPorts(http, valid)) sink.add(port);
  return sink;
}

/** Stands for an answer that is not JSON: listPorts reads such an answer as this text. */
const NOT_JSON = 'not JSON';

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

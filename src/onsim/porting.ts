import { z } from 'zod';
import { type OnsimHttp, seg } from './http.js';
import { IdString, listOf, validateInput } from './shapes.js';

export const PORT_STATES = ['INITIAL', 'IN PROGRESS', 'FAILED', 'COMPLETE', 'CLOSED'] as const;
export type PortState = (typeof PORT_STATES)[number];
export const PortStateFilter = z.enum(['ALL', ...PORT_STATES], {
  message: `A port state is one of ALL, ${PORT_STATES.join(', ')}.`,
});
export type PortStateFilter = z.infer<typeof PortStateFilter>;

const Text = z.union([z.string(), z.number()]).transform(String).optional();

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

/** Documented as `portQueue`, shown as `port`: accept either key or a bare array. */
const PortList = listOf(Port, ['portQueue', 'port', 'ports']);

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

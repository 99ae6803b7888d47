import { z } from 'zod';
import { type OnsimHttp, seg } from './http.js';
import { MpnSchema } from './identifiers.js';
import { Acknowledgement, IdString, listOf, validateInput } from './shapes.js';

export const NumberState = z.enum(['ACTIVE', 'RESERVED'], {
  message: 'A number state is ACTIVE or RESERVED.',
});
export type NumberState = z.infer<typeof NumberState>;

export const NumberEntry = z.preprocess(
  (n) => {
    if (typeof n === 'string' || typeof n === 'number') return { mpn: String(n) };
    if (n && typeof n === 'object' && !('mpn' in n) && 'number' in n) return { ...n, mpn: n.number };
    return n;
  },
  z.looseObject({
    mpn: IdString,
    state: z.string().optional(),
    i_account: IdString.optional(),
    iccid: IdString.optional(),
  }),
);
export type NumberEntry = z.infer<typeof NumberEntry>;

export async function listNumbers(http: OnsimHttp, state: NumberState = 'ACTIVE'): Promise<NumberEntry[]> {
  const op = 'number list';
  const valid = validateInput(op, NumberState, state);
  return http({
    operation: op,
    method: 'GET',
    path: `/numbers/${seg(valid)}`,
    kind: 'read',
    response: listOf(NumberEntry, ['numbers', 'data', 'items']),
  });
}

export async function addNumber(http: OnsimHttp, mpn: string): Promise<string> {
  const op = 'add number';
  const valid = validateInput(op, z.object({ mpn: MpnSchema }), { mpn });
  return http({
    operation: op,
    method: 'POST',
    path: `/numbers/${seg(valid.mpn)}`,
    kind: 'write',
    response: Acknowledgement,
  });
}

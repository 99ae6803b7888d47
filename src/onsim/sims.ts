import { z } from 'zod';
import { type OnsimHttp, seg } from './http.js';
import { IdString, listOf, validateInput } from './shapes.js';

export const SimState = z.enum(['ACTIVE', 'RESERVED'], { message: 'A SIM state is ACTIVE or RESERVED.' });
export const SimType = z.enum(['ALL', 'eSIM', 'pSIM'], { message: 'A SIM type is ALL, eSIM or pSIM.' });
export type SimState = z.infer<typeof SimState>;
export type SimType = z.infer<typeof SimType>;

export const Sim = z.preprocess(
  (s) => (typeof s === 'string' || typeof s === 'number' ? { iccid: String(s) } : s),
  z.looseObject({
    iccid: IdString,
    type: z.string().optional(),
    state: z.string().optional(),
    mpn: IdString.optional(),
    i_account: IdString.optional(),
  }),
);
export type Sim = z.infer<typeof Sim>;

export async function listSims(
  http: OnsimHttp,
  state: SimState = 'ACTIVE',
  type: SimType = 'ALL',
): Promise<Sim[]> {
  const op = 'SIM list';
  const valid = validateInput(op, z.object({ state: SimState, type: SimType }), { state, type });
  return http({
    operation: op,
    method: 'GET',
    path: `/sims/${seg(valid.state)}/${seg(valid.type)}`,
    kind: 'read',
    response: listOf(Sim, ['sims', 'data', 'items']),
  });
}

import { formatMpn } from '../onsim/identifiers.js';
import type { SimState, SimType } from '../onsim/sims.js';
import { echo, esc } from '../slack/text.js';
import { type ListCommand, type ListOutcome, runList, tally } from './list-command.js';
import type { Subcommand } from './types.js';

const STATES: Record<string, SimState> = { active: 'ACTIVE', reserved: 'RESERVED' };
const TYPES: Record<string, SimType> = { all: 'ALL', esim: 'eSIM', psim: 'pSIM' };
const CHOICES = 'states `active` (default) or `reserved`; types `all` (default), `esim` or `psim`';
const EXAMPLE = '`/onsim sims reserved esim`';

/** `sims [active|reserved] [all|esim|psim]`, in any order and any case. */
export function parseSimArgs(
  args: readonly string[],
): { ok: true; state: SimState; type: SimType } | { ok: false; message: string } {
  let state: SimState | undefined;
  let type: SimType | undefined;
  for (const arg of args) {
    const word = arg.toLowerCase().replace(/[\s_-]+/g, '');
    const s = STATES[word];
    const t = TYPES[word];
    if (s) {
      if (state && state !== s) {
        return { ok: false, message: `⚠️ Give one SIM state, not two: ${CHOICES}. Example: ${EXAMPLE}` };
      }
      state = s;
    } else if (t) {
      if (type && type !== t) {
        return { ok: false, message: `⚠️ Give one SIM type, not two: ${CHOICES}. Example: ${EXAMPLE}` };
      }
      type = t;
    } else {
      return {
        ok: false,
        message: `⚠️ ${echo(arg)} is not a SIM state or type. Valid: ${CHOICES}. Example: ${EXAMPLE}`,
      };
    }
  }
  return { ok: true, state: state ?? 'ACTIVE', type: type ?? 'ALL' };
}

export const simsList: ListCommand = {
  name: 'sims',
  what: 'list the SIMs',
  async fetch(args, deps): Promise<ListOutcome> {
    const parsed = parseSimArgs(args);
    if (!parsed.ok) return parsed;
    const { state, type } = parsed;
    const sims = await deps.onsim.sims.list(state, type);
    const kind = type === 'ALL' ? 'SIMs' : `${type}s`;
    const stateWord = state === 'ACTIVE' ? 'Active' : 'Reserved';
    return {
      ok: true,
      list: {
        title: `${stateWord} ${kind}`,
        intro: [
          type === 'ALL' ? tally(sims.map((s) => s.type ?? 'unknown type')) : '',
          `Other lists: ${CHOICES}.`,
        ]
          .filter(Boolean)
          .join(' · '),
        noun: ['SIM', 'SIMs'],
        rows: sims.map((s) =>
          [
            `• \`${esc(s.iccid)}\``,
            esc(s.type),
            esc(s.state ?? state),
            s.mpn ? esc(formatMpn(s.mpn)) : '',
            s.i_account ? `account ${esc(s.i_account)}` : '',
          ]
            .filter(Boolean)
            .join(' · '),
        ),
        empty: `No ${stateWord.toLowerCase()} ${kind}.`,
        table: {
          columns: ['iccid', 'type', 'state', 'mpn', 'i_account'],
          rows: sims.map((s) => [s.iccid, s.type, s.state ?? state, s.mpn, s.i_account]),
        },
        fileStem: `sims-${state.toLowerCase()}-${type.toLowerCase()}`,
      },
    };
  },
};

export const sims: Subcommand = {
  name: 'sims',
  usage: 'sims [active|reserved] [all|esim|psim]',
  summary: 'SIMs by state and type (default: active, all)',
  role: 'viewer',
  run: (inv, deps) => runList(simsList, inv, deps),
};

import { formatMpn } from '../onsim/identifiers.js';
import type { NumberState } from '../onsim/numbers.js';
import { echo, esc } from '../slack/text.js';
import { type ListCommand, type ListOutcome, runList } from './list-command.js';
import type { Subcommand } from './types.js';

const STATES: Record<string, NumberState> = { active: 'ACTIVE', reserved: 'RESERVED' };
const EXAMPLE = '`/onsim numbers reserved`';

export const numbersList: ListCommand = {
  name: 'numbers',
  what: 'list the numbers',
  async fetch(args, deps): Promise<ListOutcome> {
    const [word, ...extra] = args;
    if (word?.toLowerCase() === 'add') {
      return {
        ok: false,
        message:
          '⚠️ `numbers` only lists. To add a number, an operator types `/onsim number add &lt;mpn&gt;`.',
      };
    }
    const state = word === undefined ? 'ACTIVE' : STATES[word.toLowerCase()];
    if (state === undefined || extra.length > 0) {
      const wrong = state === undefined ? word : extra.join(' ');
      return {
        ok: false,
        message: `⚠️ ${echo(wrong ?? '')} is not a number state. Valid: \`active\` (default) or \`reserved\` (free to provision). Example: ${EXAMPLE}`,
      };
    }
    const numbers = await deps.onsim.numbers.list(state);
    const stateWord = state === 'ACTIVE' ? 'Active' : 'Reserved';
    return {
      ok: true,
      list: {
        title: `${stateWord} numbers`,
        intro:
          state === 'ACTIVE'
            ? 'Numbers in use. `/onsim numbers reserved` lists the free ones.'
            : 'Free to provision. `/onsim numbers active` lists the ones in use.',
        noun: ['number', 'numbers'],
        rows: numbers.map((n) =>
          [
            `• *${esc(formatMpn(n.mpn))}*`,
            esc(n.state ?? state),
            n.i_account ? `account ${esc(n.i_account)}` : '',
            n.iccid ? `SIM \`${esc(n.iccid)}\`` : '',
          ]
            .filter(Boolean)
            .join(' · '),
        ),
        empty: `No ${stateWord.toLowerCase()} numbers.`,
        table: {
          columns: ['mpn', 'state', 'i_account', 'iccid'],
          rows: numbers.map((n) => [n.mpn, n.state ?? state, n.i_account, n.iccid]),
        },
        fileStem: `numbers-${state.toLowerCase()}`,
      },
    };
  },
};

export const numbers: Subcommand = {
  name: 'numbers',
  usage: 'numbers [active|reserved]',
  summary: 'Numbers in use, or reserved and free to provision',
  role: 'viewer',
  run: (inv, deps) => runList(numbersList, inv, deps),
};

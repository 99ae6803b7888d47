import { describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../src/commands/index.js';
import { closest } from '../../src/commands/suggest.js';

const NAMES = SUBCOMMANDS.map((c) => c.name);

describe('closest subcommand', () => {
  it.each([
    ['acount', 'account'],
    ['acconut', 'account'],
    ['prots', 'ports'],
    ['subscriber', 'subscribers'],
    ['sub', 'subscribers'],
    ['catalog', 'catalogue'],
    ['esm', 'esim'],
    ['esim-refesh', 'esim-refresh'],
    ['provison', 'provision'],
    ['por', 'port'],
    ['ACOUNT', 'account'],
  ])('reads %s as %s', (typed, meant) => {
    expect(closest(typed, NAMES)).toBe(meant);
  });

  it.each([['p'], ['xy'], ['zzzzzz'], ['refresh'], ['']])(
    'guesses nothing for %j, which is close to no command',
    (typed) => {
      expect(closest(typed, NAMES)).toBeUndefined();
    },
  );
});

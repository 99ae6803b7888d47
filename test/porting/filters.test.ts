import { describe, expect, it } from 'vitest';
import type { Port } from '../../src/onsim/porting.js';
import type { PortEvent } from '../../src/porting/diff.js';
import {
  channelsConcerned,
  describeFilter,
  matches,
  parseWatchFilter,
  type WatchFilter,
} from '../../src/porting/filters.js';
import type { PortWatch } from '../../src/store/types.js';

const parsed = (args: string) => {
  const result = parseWatchFilter(args);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};
const error = (args: string) => {
  const result = parseWatchFilter(args);
  if (result.ok) throw new Error(`expected an error for "${args}"`);
  return result.error;
};

describe('parseWatchFilter', () => {
  it('reads no arguments as every change of every port', () => {
    expect(parsed('')).toEqual({ states: [], number: null });
    expect(parsed('  all ')).toEqual({ states: [], number: null });
  });

  it('reads states case-insensitively, once each, in lifecycle order', () => {
    expect(parsed('complete failed FAILED')).toEqual({ states: ['FAILED', 'COMPLETE'], number: null });
  });

  it.each(['IN PROGRESS', 'in progress', 'IN_PROGRESS', 'in-progress', 'InProgress'])(
    'reads %s as IN PROGRESS',
    (text) => {
      expect(parsed(text).states).toEqual(['IN PROGRESS']);
    },
  );

  it('reads COMPLETED as COMPLETE, as the port list does', () => {
    expect(parsed('completed FAILED')).toEqual({ states: ['FAILED', 'COMPLETE'], number: null });
  });

  it('reads a number written with spaces and normalises it to E.164 digits', () => {
    expect(parsed('FAILED +44 7700 900123')).toEqual({ states: ['FAILED'], number: '447700900123' });
    expect(parsed('07700 900123 complete')).toEqual({ states: ['COMPLETE'], number: '447700900123' });
  });

  it('names the unknown word, the valid states and an example', () => {
    const message = error('FAILED DONE');
    expect(message).toContain('“DONE”');
    expect(message).toContain('INITIAL, IN PROGRESS, FAILED, COMPLETE, CLOSED');
    expect(message).toContain('/onsim ports watch FAILED COMPLETE +44 7700 900123');
  });

  it('does not take IN without PROGRESS as a state', () => {
    expect(error('IN')).toContain('“IN”');
  });

  it('passes on the phone number error for a number that cannot be one', () => {
    expect(error('FAILED 12')).toMatch(/too short|not a possible phone number/);
  });

  it('refuses ALL together with named states', () => {
    expect(error('ALL FAILED')).toContain('ALL already means every state');
  });
});

describe('describeFilter', () => {
  it('says what a watch follows in words', () => {
    expect(describeFilter({ states: [], number: null })).toBe('all port changes');
    expect(describeFilter({ states: ['FAILED'], number: null })).toBe('ports reaching FAILED');
    expect(describeFilter({ states: ['FAILED', 'COMPLETE'], number: '447700900123' })).toBe(
      'ports reaching FAILED or COMPLETE for +44 7700 900123',
    );
    expect(describeFilter({ states: ['INITIAL', 'FAILED', 'COMPLETE'], number: null })).toBe(
      'ports reaching INITIAL, FAILED or COMPLETE',
    );
    expect(describeFilter({ states: [], number: '447700900123' })).toBe(
      'all port changes for +44 7700 900123',
    );
  });
});

describe('matches', () => {
  const port: Port = { trID: '1', status: 'COMPLETE', number: '447700900001', portinNumber: '447700900123' };
  const changed: PortEvent = { kind: 'changed', portId: '1', from: 'IN PROGRESS', to: 'COMPLETE', port };
  const fresh: PortEvent = { kind: 'new', portId: '1', to: 'INITIAL', port: { ...port, status: 'INITIAL' } };
  const gone: PortEvent = { kind: 'gone', portId: '1', from: 'COMPLETE', port };
  const watch = (states: string[], number: string | null = null): WatchFilter => ({ states, number });

  it('matches every event for a watch without filters', () => {
    for (const event of [changed, fresh, gone]) expect(matches(watch([]), event)).toBe(true);
  });

  it('matches a change on its new status, not its old one', () => {
    expect(matches(watch(['COMPLETE']), changed)).toBe(true);
    expect(matches(watch(['IN PROGRESS']), changed)).toBe(false);
  });

  it('matches a new port when its status is listed', () => {
    expect(matches(watch(['INITIAL']), fresh)).toBe(true);
    expect(matches(watch(['FAILED']), fresh)).toBe(false);
  });

  it('matches a gone port only for watches without states', () => {
    expect(matches(watch(['COMPLETE']), gone)).toBe(false);
    expect(matches(watch([], '447700900123'), gone)).toBe(true);
  });

  it('matches a number filter on the number ported in or on ONSIM’s MPN, and nothing else', () => {
    expect(matches(watch([], '447700900123'), changed)).toBe(true);
    expect(matches(watch(['COMPLETE'], '447700900001'), changed)).toBe(true);
    expect(matches(watch([], '447700900999'), changed)).toBe(false);
  });

  it('tells per channel whether an event is alerted, or concerns a port it follows in another state', () => {
    let id = 0;
    const stored = (channelId: string, states: string[], number: string | null = null): PortWatch => ({
      id: ++id,
      channelId,
      states,
      number,
      createdBy: 'U1',
      createdAt: 0,
    });
    const concerned = channelsConcerned([
      stored('CALL', []),
      stored('CFAIL', ['FAILED']),
      stored('CMIX', ['FAILED']),
      stored('CMIX', ['COMPLETE'], '447700900001'),
      stored('CNUM', ['FAILED'], '447700900123'),
      stored('COTHER', [], '447700900999'),
    ]);
    expect(Object.fromEntries(concerned(changed))).toEqual({
      CALL: true,
      CFAIL: false,
      CMIX: true,
      CNUM: false,
    });
    expect(Object.fromEntries(concerned(gone))).toEqual({
      CALL: true,
      CFAIL: false,
      CMIX: false,
      CNUM: false,
    });
    for (const event of [changed, fresh, gone]) {
      const watches = [watch([]), watch(['COMPLETE']), watch(['INITIAL'], '447700900123'), watch([], '1')];
      const viaIndex = channelsConcerned(watches.map((w, i) => stored(`C${i}`, w.states, w.number)))(event);
      watches.forEach((w, i) => {
        expect(viaIndex.get(`C${i}`) === true).toBe(matches(w, event));
      });
    }
  });

  it('finds the channels following a number however ONSIM writes it', () => {
    const watches: PortWatch[] = [
      { id: 1, channelId: 'CNUM', states: [], number: '447700900123', createdBy: 'U1', createdAt: 0 },
      { id: 2, channelId: 'COTHER', states: [], number: '447700900999', createdBy: 'U1', createdAt: 0 },
    ];
    const concerned = channelsConcerned(watches);
    for (const written of [
      '447700900123',
      '+44 7700 900123',
      '07700 900123',
      '0044 7700 900123',
      447700900123,
    ]) {
      const event: PortEvent = {
        ...changed,
        port: { trID: '9', status: 'COMPLETE', portinNumber: String(written) },
      };
      expect(Object.fromEntries(concerned(event))).toEqual({ CNUM: true });
    }
    expect(
      Object.fromEntries(concerned({ ...changed, port: { trID: '9', status: 'X', number: '447700900124' } })),
    ).toEqual({});
  });
});

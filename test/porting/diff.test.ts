import { describe, expect, it } from 'vitest';
import type { Port } from '../../src/onsim/porting.js';
import { diffPorts, normaliseStatus, PortMemory, portFromSnapshot } from '../../src/porting/diff.js';
import type { PortSnapshot } from '../../src/store/types.js';

const port = (trID: string, status: string, extra: Partial<Port> = {}): Port => ({
  trID,
  status,
  number: '447700900001',
  portinNumber: '447700900123',
  PAC: 'ABC123456',
  type: 'PORT-IN',
  portinDate: '2025-01-10',
  updatedDate: 'Jan 2, 2025 1:20:30 PM',
  ...extra,
});

const snapshot = (p: Port, seenAt = 1000): PortSnapshot => ({
  portId: p.trID,
  status: normaliseStatus(p.status),
  data: { ...p },
  seenAt,
});

describe('diffPorts', () => {
  it('reports nothing and writes nothing when no port changed', () => {
    const ports = [port('1', 'INITIAL'), port('2', 'COMPLETE')];
    expect(
      diffPorts(
        ports.map((p) => snapshot(p)),
        ports,
        2000,
      ),
    ).toEqual({ events: [], upserts: [], deletes: [] });
  });

  it('reports a port it has not seen before as new, with its status', () => {
    const diff = diffPorts([], [port('7', 'INITIAL')], 2000);
    expect(diff.events).toEqual([{ kind: 'new', portId: '7', to: 'INITIAL', port: port('7', 'INITIAL') }]);
    expect(diff.upserts).toEqual([snapshot(port('7', 'INITIAL'), 2000)]);
  });

  it('reports a status change with the old and new status and when the old one was recorded', () => {
    const before = port('7', 'IN PROGRESS');
    const after = port('7', 'COMPLETE', { updatedDate: 'Jan 3, 2025 9:00:00 AM' });
    const diff = diffPorts([snapshot(before, 1500)], [after], 2000);
    expect(diff.events).toEqual([
      {
        kind: 'changed',
        portId: '7',
        from: 'IN PROGRESS',
        to: 'COMPLETE',
        port: after,
        previousSeenAt: 1500,
      },
    ]);
    expect(diff.upserts).toEqual([snapshot(after, 2000)]);
    expect(diff.deletes).toEqual([]);
  });

  it('reports a port ONSIM no longer lists as gone, with its last known data, and deletes it', () => {
    const before = port('9', 'CLOSED');
    const diff = diffPorts([snapshot(before, 1500)], [], 2000);
    expect(diff.events).toEqual([
      {
        kind: 'gone',
        portId: '9',
        from: 'CLOSED',
        port: expect.objectContaining(before),
        previousSeenAt: 1500,
      },
    ]);
    expect(diff.deletes).toEqual(['9']);
  });

  it('treats differently written statuses as the same status', () => {
    const diff = diffPorts([snapshot(port('1', 'IN PROGRESS'))], [port('1', 'in_progress')], 2000);
    expect(diff.events).toEqual([]);
  });

  it('updates the snapshot without an event when only other fields changed', () => {
    const after = port('1', 'INITIAL', { portinDate: '2025-02-01' });
    const diff = diffPorts([snapshot(port('1', 'INITIAL'))], [after], 2000);
    expect(diff.events).toEqual([]);
    expect(diff.upserts).toEqual([snapshot(after, 2000)]);
  });

  it('does not see a change when the stored data only has its keys in another order (PostgreSQL jsonb)', () => {
    const p = port('1', 'INITIAL');
    const reordered = Object.fromEntries(Object.entries(p).reverse());
    const diff = diffPorts([{ portId: '1', status: 'INITIAL', data: reordered, seenAt: 1 }], [p], 2000);
    expect(diff.upserts).toEqual([]);
  });

  it('keeps the first entry when ONSIM lists a port twice', () => {
    const diff = diffPorts([], [port('1', 'INITIAL'), port('1', 'FAILED')], 2000);
    expect(diff.events.map((e) => e.to)).toEqual(['INITIAL']);
  });
});

describe('PortMemory', () => {
  const poll = (memory: PortMemory, ports: Port[], now: number) => {
    const diff = memory.diff(ports, now);
    memory.remember(diff);
    return diff.events.map((e) => `${e.kind} ${e.portId}${e.to ? ` ${e.to}` : ''}`);
  };

  it('finds each change once across polls, whatever order ONSIM lists the ports in', () => {
    const memory = new PortMemory();
    expect(poll(memory, [port('1', 'INITIAL'), port('2', 'INITIAL'), port('3', 'INITIAL')], 1)).toHaveLength(
      3,
    );
    expect(poll(memory, [port('3', 'INITIAL'), port('1', 'INITIAL'), port('2', 'FAILED')], 2)).toEqual([
      'changed 2 FAILED',
    ]);
    expect(poll(memory, [port('3', 'INITIAL'), port('1', 'INITIAL'), port('2', 'FAILED')], 3)).toEqual([]);
    expect(poll(memory, [port('3', 'INITIAL'), port('1', 'COMPLETE')], 4)).toEqual([
      'changed 1 COMPLETE',
      'gone 2',
    ]);
    expect(poll(memory, [port('1', 'COMPLETE'), port('3', 'INITIAL'), port('4', 'INITIAL')], 5)).toEqual([
      'new 4 INITIAL',
    ]);
    expect(poll(memory, [port('1', 'COMPLETE'), port('3', 'INITIAL'), port('4', 'INITIAL')], 6)).toEqual([]);
    expect(memory.size).toBe(3);
  });

  it('starts from the stored snapshots and gives the previous sighting of a change', () => {
    const memory = new PortMemory([snapshot(port('2', 'INITIAL'), 100), snapshot(port('1', 'INITIAL'), 200)]);
    const diff = memory.diff([port('1', 'INITIAL'), port('2', 'IN PROGRESS')], 300);
    expect(diff.events).toMatchObject([{ kind: 'changed', portId: '2', previousSeenAt: 100 }]);
    memory.remember(diff);
    expect(memory.diff([port('1', 'INITIAL'), port('2', 'FAILED')], 400).events).toMatchObject([
      { kind: 'changed', portId: '2', from: 'IN PROGRESS', previousSeenAt: 300 },
    ]);
  });

  it('finds the same change again when the diff was not remembered (its write failed)', () => {
    const memory = new PortMemory([snapshot(port('1', 'INITIAL'))]);
    expect(memory.diff([port('1', 'FAILED'), port('2', 'INITIAL')], 2).events).toHaveLength(2);
    expect(memory.diff([port('1', 'FAILED'), port('2', 'INITIAL')], 3).events).toHaveLength(2);
    expect(memory.diff([], 4).events).toMatchObject([{ kind: 'gone', portId: '1' }]);
  });

  it('remembers only the first entry of a port listed twice', () => {
    const memory = new PortMemory();
    expect(poll(memory, [port('1', 'INITIAL'), port('1', 'FAILED'), port('2', 'INITIAL')], 1)).toEqual([
      'new 1 INITIAL',
      'new 2 INITIAL',
    ]);
    expect(poll(memory, [port('1', 'INITIAL'), port('2', 'INITIAL')], 2)).toEqual([]);
    expect(memory.size).toBe(2);
  });
});

describe('portFromSnapshot', () => {
  it('rebuilds the port with the snapshot id and status and text fields', () => {
    const p = portFromSnapshot({
      portId: '5',
      status: 'FAILED',
      data: { number: 447700900001, PAC: 'XYZ' },
      seenAt: 0,
    });
    expect(p).toMatchObject({ trID: '5', status: 'FAILED', number: '447700900001', PAC: 'XYZ' });
  });
});

import { describe, expect, it } from 'vitest';
import { createBackground } from '../src/background.js';
import { createLogger } from '../src/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  return { logger, lines };
}

describe('background tasks', () => {
  it('run in order, and a failing task is logged without stopping the next', async () => {
    const { logger, lines } = capture();
    const background = createBackground(logger);
    const ran: number[] = [];
    background.run('first', async () => void ran.push(1));
    background.run('second', async () => {
      throw new Error('slack said no');
    });
    background.run('third', async () => void ran.push(3));
    expect(await background.idle(5_000)).toBe(true);
    expect(ran).toEqual([1, 3]);
    expect(lines.filter((l) => l.includes('background task failed'))).toHaveLength(1);
  });

  it('keeps at most maxPending tasks waiting behind a stalled one, dropping the oldest and counting them', async () => {
    const { logger, lines } = capture();
    const background = createBackground(logger, 3);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const ran: number[] = [];
    background.run('stalled', () => stalled);
    // Let the stalled task start, so the next ones wait behind it.
    await Promise.resolve();
    await Promise.resolve();
    for (let i = 1; i <= 10; i++) background.run(`task ${i}`, async () => void ran.push(i));
    expect(await background.idle(50)).toBe(false);
    release();
    expect(await background.idle(5_000)).toBe(true);
    expect(ran).toEqual([8, 9, 10]);
    const warnings = lines.filter((l) => l.includes('dropp'));
    expect(warnings).toHaveLength(2); // the first drop as it happens, then the total once drained
    expect(JSON.parse(warnings[1] ?? '{}')).toMatchObject({ dropped: 7, maxPending: 3 });
  });
});

import type { Logger } from './logger.js';

/**
 * Work that must not hold up an answer to Slack (mirroring audit entries to AUDIT_CHANNEL) but
 * must not be lost either: tasks run one after another, in order, and a shutdown waits for them.
 * The queue is bounded: when Slack stalls, the oldest waiting tasks are dropped (the audit trail
 * itself is in the store; only its mirror is lost) and the drops are counted in the log.
 */
export interface Background {
  run(what: string, task: () => Promise<unknown>): void;
  /** Resolves true once every queued task has finished, false on timeout. */
  idle(timeoutMs: number): Promise<boolean>;
}

export const BACKGROUND_MAX_PENDING = 500;

interface Job {
  what: string;
  task: () => Promise<unknown>;
}

export function createBackground(logger: Logger, maxPending = BACKGROUND_MAX_PENDING): Background {
  const queue: Job[] = [];
  let running = false;
  let dropped = 0;
  let waiters: Array<() => void> = [];

  async function work(): Promise<void> {
    running = true;
    // Never run a task inside the caller's turn: `run` returns at once.
    await Promise.resolve();
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        await job.task();
      } catch (err) {
        logger.warn({ err, what: job.what }, 'background task failed');
      }
    }
    running = false;
    if (dropped > 0) {
      logger.warn(
        { dropped, maxPending },
        `background queue overflowed: dropped the ${dropped} oldest tasks`,
      );
      dropped = 0;
    }
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  return {
    run(what, task) {
      if (queue.length >= maxPending) {
        const oldest = queue.shift();
        dropped++;
        if (dropped === 1) {
          logger.warn({ what: oldest?.what, maxPending }, 'background queue full: dropping the oldest tasks');
        }
      }
      queue.push({ what, task });
      if (!running) void work();
    },
    async idle(timeoutMs) {
      if (!running && queue.length === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = new Promise<true>((resolve) => waiters.push(() => resolve(true)));
      const result = await Promise.race([done, timeout]);
      clearTimeout(timer);
      return result;
    },
  };
}

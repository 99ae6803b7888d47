import type { Logger } from './logger.js';

/**
 * Work that must not hold up an answer to Slack (mirroring audit entries to AUDIT_CHANNEL) but
 * must not be lost either: tasks run one after another, in order, and a shutdown waits for them.
 */
export interface Background {
  run(what: string, task: () => Promise<unknown>): void;
  /** Resolves true once every queued task has finished, false on timeout. */
  idle(timeoutMs: number): Promise<boolean>;
}

export function createBackground(logger: Logger): Background {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    run(what, task) {
      pending++;
      tail = tail
        .then(task)
        .then(
          () => undefined,
          (err: unknown) => logger.warn({ err, what }, 'background task failed'),
        )
        .finally(() => {
          pending--;
        });
    },
    async idle(timeoutMs) {
      if (pending === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = (async () => {
        while (pending > 0) await tail;
        return true as const;
      })();
      const result = await Promise.race([done, timeout]);
      clearTimeout(timer);
      return result;
    },
  };
}

// Requests and answers between the porting bench and its child processes, over Node's IPC.
import { type ChildProcess, fork } from 'node:child_process';

type Handlers = Record<string, (args: never) => unknown>;

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** In the child: answers the parent's requests with `handlers`. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown bench command ${message.cmd}`);
        return handler(message.args as never);
      })
      .then(
        (value) => process.send?.({ id: message.id, ok: true, value } satisfies Answer),
        (err: unknown) =>
          process.send?.({
            id: message.id,
            ok: false,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          }),
      );
  });
  process.send?.({ id: 0, ok: true, value: 'ready' } satisfies Answer);
}

export interface Child<H extends Handlers> {
  call<K extends keyof H & string>(
    cmd: K,
    ...args: Parameters<H[K]> extends [] ? [] : Parameters<H[K]>
  ): Promise<Awaited<ReturnType<H[K]>>>;
  stop(): Promise<void>;
}

/** Starts the TypeScript file `module` in its own Node process, with `nodeFlags` (V8's) if given. */
export async function start<H extends Handlers>(
  module: URL,
  env: Record<string, string> = {},
  nodeFlags: readonly string[] = [],
): Promise<Child<H>> {
  const child: ChildProcess = fork(module, [], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${module} exited (${code}) before it was ready`)));
    child.on('message', (answer: Answer) => {
      if (answer.id === 0) return resolve();
      const wait = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (answer.ok) wait?.resolve(answer.value);
      else wait?.reject(new Error(`${module}: ${answer.error}`));
    });
  });
  child.once('exit', (code) => {
    for (const wait of waiting.values()) wait.reject(new Error(`${module} exited (${code})`));
  });
  await ready;
  return {
    call: (cmd, ...args) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args: args[0] } satisfies Request);
      }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

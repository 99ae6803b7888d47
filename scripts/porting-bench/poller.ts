// The porting bench's bot side, in a process of its own so that its peak RSS is the watcher's
// (the floor, a bare fetch + JSON.parse, is measured by another process running this file):
// the real ONSIM client and port watcher on a real store, polling the ONSIM of onsim.ts. Each
// poll is split into ONSIM (HTTP, JSON, reading the ports and comparing each with the memory as
// it arrives), store reads, thread look-ups and the store write; the rest is the fan-out.
import { LogLevel, WebClient } from '@slack/web-api';
import pino from 'pino';
import { createOnsimClient } from '../../src/onsim/client.js';
import type { OnsimHttp } from '../../src/onsim/http.js';
import { listPorts, type PortSink, type PortStateFilter } from '../../src/onsim/porting.js';
import { createPortWatcher, type PollResult, type PortWatcher } from '../../src/porting/watcher.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { serve } from './rpc.js';

type Phase = 'onsim' | 'store reads' | 'thread look-ups' | 'store write';

/** Wall time spent in each phase (overlapping calls, e.g. PostgreSQL reads in parallel, count once). */
class PhaseClock {
  private spans = new Map<Phase, [number, number][]>();

  reset(): void {
    this.spans.clear();
  }

  wrap<A extends unknown[], R>(phase: Phase, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      const start = performance.now();
      try {
        return await fn(...args);
      } finally {
        const list = this.spans.get(phase) ?? [];
        list.push([start, performance.now()]);
        this.spans.set(phase, list);
      }
    };
  }

  ms(phase: Phase): number {
    const spans = [...(this.spans.get(phase) ?? [])].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = Number.NEGATIVE_INFINITY;
    for (const [s, e] of spans) {
      if (e <= end) continue;
      total += e - Math.max(s, end);
      end = e;
    }
    return total;
  }
}

/** The store, with the watcher's calls timed by phase. */
function timedStore(store: Store, clock: PhaseClock): Store {
  const reads = new Set<PropertyKey>(['forEachPortSnapshot', 'listWatches', 'getKv', 'tryLock']);
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (...args: unknown[]): Promise<unknown> => Promise.resolve(value.apply(target, args));
      if (reads.has(prop)) return clock.wrap('store reads', bound);
      if (prop === 'alertThreadsOf') return clock.wrap('thread look-ups', bound);
      if (prop === 'applyPortPoll') return clock.wrap('store write', bound);
      return bound;
    },
  });
}

const MIB = 2 ** 20;
/** CPU time of this process so far, in ms: steadier than wall time on a shared machine. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const logger = pino({ level: 'silent' });
const clock = new PhaseClock();
let onsimUrl = '';
let onsimKey = '';
let store: Store | undefined;
let watcher: PortWatcher | undefined;

export interface PollFigures {
  ms: number;
  cpuMs: number;
  result: PollResult;
  phases: Record<Phase | 'fan-out', number>;
}

const handlers = {
  async open(opts: {
    databaseUrl: string;
    onsimUrl: string;
    apiKey: string;
    slackUrl: string;
    numbers?: string[];
  }) {
    onsimUrl = opts.onsimUrl;
    onsimKey = opts.apiKey;
    const real = await openStore(opts.databaseUrl);
    store = timedStore(real, clock);
    if (opts.numbers) {
      const watch = (channelId: string, states: string[], number: string | null) =>
        real.addWatch({ channelId, states, number, createdBy: 'UBENCH', createdAt: Date.now() });
      await watch('CALL', [], null);
      await watch('CFAIL', ['FAILED'], null);
      for (const [i, number] of opts.numbers.entries()) await watch(`CNUM${i}`, [], number);
    }
    const onsim = createOnsimClient({ baseUrl: onsimUrl, apiKey: onsimKey, logger, timeoutMs: 120_000 });
    watcher = createPortWatcher({
      store,
      onsim: {
        porting: {
          stream: <S extends PortSink>(state: PortStateFilter, open: () => S) =>
            clock.wrap('onsim', () => onsim.porting.stream(state, open))(),
        },
      },
      slack: new WebClient('xoxb-bench', {
        slackApiUrl: opts.slackUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logLevel: LogLevel.ERROR,
      }),
      logger,
      pollSeconds: 60,
      instanceId: `bench-${process.pid}`,
      channelPaceMs: 0,
    });
    return (await real.listWatches()).length;
  },

  /** Points a process that only measures the floor at ONSIM (no store, no watcher). */
  aim(opts: { onsimUrl: string; apiKey: string }) {
    onsimUrl = opts.onsimUrl;
    onsimKey = opts.apiKey;
    return true;
  },

  /** The floor: fetching the port list and JSON.parse, as a bare client would; then reading the ports. */
  async reference() {
    const cpu = cpuMs();
    const start = performance.now();
    const res = await fetch(`${onsimUrl}/port/all/ALL`, { headers: { Authorization: `Bearer ${onsimKey}` } });
    const text = await res.text();
    const fetched = performance.now();
    const body: unknown = JSON.parse(text);
    const parsed = performance.now();
    const parseCpu = cpuMs() - cpu;
    const answering: OnsimHttp = async (req) => req.response.parse(body);
    const ports = await listPorts(answering, 'ALL');
    const read = performance.now();
    return {
      ports: ports.length,
      jsonMiB: text.length / MIB,
      httpMs: fetched - start,
      parseMs: parsed - fetched,
      fetchParseMs: parsed - start,
      fetchParseCpuMs: parseCpu,
      readMs: read - parsed,
    };
  },

  async poll(): Promise<PollFigures> {
    if (!watcher) throw new Error('open first');
    clock.reset();
    const cpu = cpuMs();
    const start = performance.now();
    const result = await watcher.pollOnce();
    const ms = performance.now() - start;
    const cpuUsed = cpuMs() - cpu;
    const phases = {
      onsim: clock.ms('onsim'),
      'store reads': clock.ms('store reads'),
      'thread look-ups': clock.ms('thread look-ups'),
      'store write': clock.ms('store write'),
    };
    const accounted = Object.values(phases).reduce((a, b) => a + b, 0);
    return { ms, cpuMs: cpuUsed, result, phases: { ...phases, 'fan-out': ms - accounted } };
  },

  async deliver() {
    if (!watcher) throw new Error('open first');
    const start = performance.now();
    let items = 0;
    for (let n = await watcher.deliverOnce(); n > 0; n = await watcher.deliverOnce()) items += n;
    return { ms: performance.now() - start, items };
  },

  memory() {
    return {
      peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB,
      rssMiB: process.memoryUsage().rss / MIB,
    };
  },

  async close() {
    await watcher?.stop();
    await store?.close();
    return true;
  },
};
export type PollerHandlers = typeof handlers;

serve(handlers);
process.once('SIGTERM', () => process.exit(0));

// The porting bench's ONSIM and Slack, in a process of their own, so that the poller's process
// measures only the bot: the sandbox holding 100,000 ports and writing 25 MiB of JSON per poll
// would otherwise count in its memory and its CPU.
import pino from 'pino';
import { startSandbox } from '../../src/onsim/sandbox/server.js';
import { startFakeSlack } from '../../test/support/fake-slack.js';
import { serve } from './rpc.js';

/** Every other changing port that is IN PROGRESS fails, so that the FAILED watch has work. */
const NEXT_STATUS: Record<string, [string, string]> = {
  INITIAL: ['IN PROGRESS', 'IN PROGRESS'],
  'IN PROGRESS': ['COMPLETE', 'FAILED'],
  COMPLETE: ['CLOSED', 'CLOSED'],
  FAILED: ['CLOSED', 'CLOSED'],
  CLOSED: ['INITIAL', 'INITIAL'],
};

const sandbox = await startSandbox({ portAdvanceMs: null, logger: pino({ level: 'silent' }) });
const slack = await startFakeSlack();
let changing: string[] = [];

const handlers = {
  /**
   * Seeds the ports and picks `share` of them to change; `numbered` of those get a number of
   * their own (sandbox ports share a few test numbers), returned for the channels that watch them.
   */
  seed({ ports, share, numbered }: { ports: number; share: number; numbered: number }) {
    sandbox.seedPorts(ports);
    const ids = [...sandbox.state.ports.keys()];
    const count = Math.round(ids.length * share);
    changing = Array.from({ length: count }, (_, i) => ids[Math.floor((i * ids.length) / count)] ?? '');
    const step = Math.max(1, Math.floor(changing.length / numbered));
    const numbers: string[] = [];
    for (let i = 0; i < numbered && i * step < changing.length; i++) {
      const port = sandbox.state.ports.get(changing[i * step] ?? '');
      if (!port) continue;
      port.portinNumber = `4479111${String(i).padStart(5, '0')}`;
      numbers.push(port.portinNumber);
    }
    return { url: sandbox.url, apiKey: sandbox.apiKey, slackUrl: slack.apiUrl, total: ids.length, numbers };
  },
  /** Moves every chosen port on to its next status. */
  change() {
    changing.forEach((id, i) => {
      const port = sandbox.state.ports.get(id);
      if (port) sandbox.setPortStatus(id, NEXT_STATUS[port.status]?.[i % 2] ?? 'INITIAL');
    });
    return changing.length;
  },
  slackCalls() {
    const count = (method: string) => slack.callsTo(method).length;
    return { posts: count('chat.postMessage'), updates: count('chat.update') };
  },
};
export type OnsimHandlers = typeof handlers;

serve(handlers);
process.once('SIGTERM', () => {
  void Promise.all([sandbox.close(), slack.close()]).finally(() => process.exit(0));
});

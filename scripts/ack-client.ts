// The load generator of the command benches, in a process of its own so that reading an ack
// never waits for the bot's event loop. Sends signed `/onsim account` requests to each target,
// either paced, one at a time and alternating between targets (each request finds its server
// idle), or all at once (a burst), one target after the other, and prints the ack times (ms) per target, and when each target began, as
// JSON.
import { setTimeout as sleep } from 'node:timers/promises';
import { signedFormHeaders, slashCommandBody } from '../src/slack-emulator/signed-requests.js';

export interface AckClientPlan {
  secret: string;
  mode: 'paced' | 'burst';
  count: number;
  /** paced: the pause between two requests. */
  paceMs?: number;
  targets: { url: string; responseUrl: string }[];
}

const commandBody = (responseUrl: string, i: number): string =>
  slashCommandBody({
    token: 'verification-token',
    teamId: 'T1',
    teamDomain: 'test',
    channelId: 'C123',
    channelName: 'general',
    userId: 'U123',
    userName: 'u123',
    command: '/onsim',
    text: 'account 07700 900123',
    appId: 'A1',
    responseUrl,
    triggerId: `bench.${i}`,
  });

async function ack(
  plan: AckClientPlan,
  target: AckClientPlan['targets'][number],
  i: number,
): Promise<number> {
  const body = commandBody(target.responseUrl, i);
  const headers = signedFormHeaders(plan.secret, body);
  const start = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers, body });
  await res.text();
  return performance.now() - start;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as AckClientPlan;
const times: number[][] = plan.targets.map(() => []);
/** Wall-clock ms (comparable across processes) at which each target's requests began. */
const startedAt: number[] = [];
const clock = () => performance.timeOrigin + performance.now();
if (plan.mode === 'burst') {
  for (const [t, target] of plan.targets.entries()) {
    startedAt[t] = clock();
    times[t] = await Promise.all(Array.from({ length: plan.count }, (_, i) => ack(plan, target, i)));
  }
} else {
  // Interleaved, so that both targets see the same machine load.
  for (const t of plan.targets.keys()) startedAt[t] = clock();
  for (let i = 0; i < plan.count; i++) {
    for (const [t, target] of plan.targets.entries()) {
      times[t]?.push(await ack(plan, target, i));
      await sleep(plan.paceMs ?? 25);
    }
  }
}
process.stdout.write(JSON.stringify({ times, startedAt }));

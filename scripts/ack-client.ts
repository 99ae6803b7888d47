// The load generator of bench-ack.ts, in a process of its own so that reading an ack never waits
// for the bot's event loop: sends the same signed `/onsim account` request to each target in
// turn, paced so each finds its server idle, and prints the ack times (ms) as JSON.
import { setTimeout as sleep } from 'node:timers/promises';
import { signRequest } from '../test/support/slack-requests.js';

const [secret = '', countText = '100', paceText = '20', ...targets] = process.argv.slice(2);

function commandBody(responseUrl: string, i: number): string {
  return new URLSearchParams({
    token: 'verification-token',
    team_id: 'T1',
    team_domain: 'test',
    channel_id: 'C123',
    channel_name: 'general',
    user_id: 'U123',
    user_name: 'u123',
    command: '/onsim',
    text: 'account 07700 900123',
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `bench.${i}`,
  }).toString();
}

const times: number[][] = targets.map(() => []);
for (let i = 0; i < Number(countText); i++) {
  for (const [t, target] of targets.entries()) {
    const [url = '', responseUrl = ''] = target.split(' ');
    const body = commandBody(responseUrl, i);
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', ...signRequest(secret, body) };
    const start = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body });
    await res.text();
    times[t]?.push(performance.now() - start);
    await sleep(Number(paceText));
  }
}
process.stdout.write(JSON.stringify(times));

// The slash-command ack, side by side: the bot, and a bare Bolt app (the same HTTPReceiver and
// signing secret, one listener that only acks) answering the same signed `/onsim account`
// requests, alternately, both in this process; the requests come from another process
// (ack-client.ts), paced so that each finds its server idle. Returns the median acks.
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { SIGNING_SECRET, startTestBot } from '../test/support/bot.js';

export interface AckFigures {
  /** Median ack, ms. */
  botMs: number;
  bareMs: number;
  samples: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function benchAck(samples = Number(process.env.BENCH_ACKS ?? 300)): Promise<AckFigures> {
  const bot = await startTestBot({ logLevel: 'info' });
  const bare = new App({
    token: 'xoxb-test',
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events' }),
    clientOptions: { slackApiUrl: bot.slack.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  bare.command('/onsim', async ({ ack }) => {
    await ack();
  });
  const server = (await bare.start(0)) as Server;
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  try {
    const warmUp = 50;
    const out = await run(process.execPath, [
      ...process.execArgv,
      join(import.meta.dirname, 'ack-client.ts'),
      SIGNING_SECRET,
      String(warmUp + samples),
      '25',
      `${bot.url}/slack/events ${bot.slack.responseUrl('bench')}`,
      `${bareUrl} ${bot.slack.responseUrl('bare')}`,
    ]);
    const [botAcks = [], bareAcks = []] = (JSON.parse(out) as number[][]).map((t) => t.slice(warmUp));
    return { botMs: median(botAcks), bareMs: median(bareAcks), samples };
  } finally {
    await bare.stop();
    await bot.close();
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 2 ** 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await benchAck();
  process.stdout.write(
    `ack p50: bot ${f.botMs.toFixed(2)} ms · bare Bolt ${f.bareMs.toFixed(2)} ms · ratio ${(f.botMs / f.bareMs).toFixed(2)} (${f.samples} each)\n`,
  );
}

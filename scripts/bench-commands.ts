// Slash commands against the compiled bot and a bare Bolt app, each a process of its own, with
// ONSIM (the sandbox) and Slack (the emulator) in this process and the requests sent from a
// third (ack-client.ts), so that neither server shares its event loop with anything.
// - ack: the same signed `/onsim account` request, one at a time, alternating (medians);
// - RSS of each after those look-ups;
// - burst: 200 at once to each (slowest ack; for the bot, until every command was answered);
// - `/onsim provision` with ONSIM answering in 2 s: how long until the form's views.open.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startSandbox } from '../src/onsim/sandbox/server.js';
import { SIGNING_SECRET, USERS } from '../test/support/bot.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { SlackDriver } from '../test/support/slack-requests.js';
import { waitFor } from '../test/support/wait.js';
import type { AckClientPlan } from './ack-client.js';
import { type Build, startServer } from './bench-processes.js';

export interface CommandFigures {
  lookups: number;
  /** Median ack, ms. */
  ackMs: { bot: number; bare: number };
  /** Resident set size after `lookups` look-ups (the bare app: after as many acks), MiB. */
  rssMiB: { bot: number; bare: number };
  burst: number;
  burstSlowestAckMs: { bot: number; bare: number };
  /** From the burst's first request to its last command answered, ms. */
  burstAllAnsweredMs: number;
  /** `/onsim provision` sent → views.open called, with ONSIM answering in `onsimMs`. */
  provisionViewsOpenMs: number;
  onsimMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const WARM_UP = 50;

function runClient(plan: AckClientPlan): Promise<{ times: number[][]; startedAt: number[] }> {
  const client = join(import.meta.dirname, 'ack-client.ts');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, client, JSON.stringify(plan)],
      { maxBuffer: 16 * 2 ** 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))),
    );
  });
}

export async function benchCommands(built: Build): Promise<CommandFigures> {
  const lookups = Number(process.env.BENCH_LOOKUPS ?? 200);
  const burst = Number(process.env.BENCH_BURST ?? 200);
  const onsimMs = 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'onsim-bench-commands-'));
  const slack = await startFakeSlack();
  const sandbox = await startSandbox({ port: 0, portAdvanceMs: null, logger: pino({ level: 'silent' }) });
  const env = {
    DOTENV_CONFIG_PATH: '/nonexistent',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ONSIM_API_KEY: sandbox.apiKey,
    ONSIM_BASE_URL: sandbox.url,
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    OPERATORS: USERS.operator,
    PORTING_POLL_SECONDS: '3600',
    LOG_LEVEL: 'info',
  };
  const bot = await startServer('compiled', built, env);
  const bare = await startServer('bare Bolt', built, env);
  try {
    const botTarget = { url: `${bot.url}/slack/events`, responseUrl: slack.responseUrl('paced') };
    const bareTarget = { url: `${bare.url}/slack/events`, responseUrl: slack.responseUrl('bare') };
    const paced = await runClient({
      secret: SIGNING_SECRET,
      mode: 'paced',
      count: lookups,
      paceMs: 40,
      targets: [botTarget, bareTarget],
    });
    await waitFor(() => slack.responsesTo(botTarget.responseUrl).length >= lookups, {
      timeoutMs: 30_000,
      what: 'every look-up answered',
    });
    const [botAcks = [], bareAcks = []] = paced.times.map((t) => t.slice(WARM_UP));
    const rssMiB = { bot: bot.rssMiB(), bare: bare.rssMiB() };

    const burstUrl = slack.responseUrl('burst');
    const answers = () =>
      slack.responsesTo(burstUrl).filter((r) => !String(r.body.text).includes('Asking ONSIM'));
    const bursts = await runClient({
      secret: SIGNING_SECRET,
      mode: 'burst',
      count: burst,
      targets: [bareTarget, { url: botTarget.url, responseUrl: burstUrl }],
    });
    await waitFor(() => answers().length >= burst, {
      timeoutMs: 120_000,
      what: 'every burst command answered',
    });
    const lastAnswerAt = Math.max(...answers().map((r) => r.at));
    const [bareBurst = [], botBurst = []] = bursts.times;

    sandbox.setLatency(onsimMs);
    const driver = new SlackDriver({ url: botTarget.url, signingSecret: SIGNING_SECRET, fake: slack });
    const opened = slack.callsTo('views.open').length;
    const sent = performance.now();
    await driver.command('provision', { user: USERS.operator });
    await waitFor(() => slack.callsTo('views.open').length > opened, {
      timeoutMs: 30_000,
      what: 'views.open',
    });
    const provisionViewsOpenMs = performance.now() - sent;
    sandbox.setLatency(0);

    return {
      lookups,
      ackMs: { bot: median(botAcks), bare: median(bareAcks) },
      rssMiB,
      burst,
      burstSlowestAckMs: { bot: Math.max(...botBurst), bare: Math.max(...bareBurst) },
      burstAllAnsweredMs: lastAnswerAt - (bursts.startedAt[1] ?? Number.NaN),
      provisionViewsOpenMs,
      onsimMs,
    };
  } finally {
    await bot.stop();
    await bare.stop();
    await sandbox.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

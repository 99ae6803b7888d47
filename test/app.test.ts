import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../src/commands/index.js';
import { SANDBOX_FIXTURES as F } from '../src/onsim/sandbox/server.js';
import { SANDBOX_PREFIX } from '../src/slack/message.js';
import { signRequest, slashCommandBody } from '../src/slack-emulator/signed-requests.js';
import { ACTION_ESIM_SHOW_CODE } from '../src/views/action-ids.js';
import { ACTION_SHARE, rerunValue, SLASH_COMMAND } from '../src/views/rerun.js';
import { buttonsIn } from './support/blocks.js';
import { SIGNING_SECRET, startTestBot, type TestBot, USERS, WORKING_NOTE } from './support/bot.js';
import type { RecordedResponse } from './support/fake-slack.js';
import { waitFor } from './support/wait.js';

/** Arguments that make each look-up ask ONSIM something real. */
const SAMPLE_ARGS: Record<string, string> = {
  account: '07700 900123',
  esim: '07700 900123',
  catalogue: '',
  subscribers: '',
  groups: '',
  sims: '',
  numbers: '',
  ports: '',
  port: F.openPortId,
  csv: 'sims',
  find: '900123',
};
/** Viewer commands that never ask ONSIM. */
const NOT_LOOKUPS = ['whoami', 'usage'];

let bot: TestBot;
/** A fresh bot for each test of the calling describe block; close() also checks Block Kit limits. */
function withBot(): void {
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(async () => {
    await bot.close();
  });
}

/** A slash command body exactly as the driver would sign it, for sending with bad signatures. */
function commandBody(text: string, responseUrl: string): string {
  return slashCommandBody({
    token: 'verification-token',
    teamId: 'T1',
    teamDomain: 'test',
    channelId: 'C123',
    channelName: 'general',
    userId: USERS.admin,
    userName: 'uadmin',
    command: SLASH_COMMAND,
    text,
    appId: 'A1',
    responseUrl,
    triggerId: '1700000000.1.abcdef',
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/**
 * Proves nothing ran for the rejected requests: a good command sent afterwards is answered, and by then
 * nothing reached ONSIM, no response_url but the good one was used, and Slack's Web API saw no call.
 */
async function expectNoHandlerRan(rejectedResponseUrls: string[]): Promise<void> {
  const good = await bot.driver.command('whoami', { user: USERS.admin });
  await bot.answerAt(good.responseUrl);
  for (const url of rejectedResponseUrls) expect(bot.slack.responsesTo(url)).toEqual([]);
  expect(bot.slack.responses).toHaveLength(1);
  expect(bot.sandbox.requests).toEqual([]);
  expect(bot.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
}

describe('HTTP receiver', () => {
  withBot();

  it('answers GET /healthz with 200', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // Bolt checks its token with auth.test at start: let that finish before the fake Slack closes.
    await waitFor(() => bot.slack.callsTo('auth.test')[0], { what: 'auth.test' });
  });

  it('rejects a request with a bad signature with 401, and no handler runs', async () => {
    const responseUrl = bot.slack.responseUrl('forged');
    const body = commandBody('account 07700 900123', responseUrl);
    const forged = await bot.driver.raw(body, { ...FORM, ...signRequest('not-the-secret', body) });
    expect(forged.status).toBe(401);

    // A correct signature over a different body does not cover this one.
    const tamperedUrl = bot.slack.responseUrl('tampered');
    const signed = signRequest(SIGNING_SECRET, commandBody('whoami', tamperedUrl));
    const tampered = await bot.driver.raw(commandBody('account 07700 900123', tamperedUrl), {
      ...FORM,
      ...signed,
    });
    expect(tampered.status).toBe(401);

    const unsigned = await bot.driver.raw(body, FORM);
    expect(unsigned.status).toBe(401);

    await expectNoHandlerRan([responseUrl, tamperedUrl]);
  });

  it('rejects a correctly signed request that is 6 minutes old with 401 (replay)', async () => {
    const responseUrl = bot.slack.responseUrl('stale');
    const body = commandBody('account 07700 900123', responseUrl);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await bot.driver.raw(body, {
      ...FORM,
      ...signRequest(SIGNING_SECRET, body, sixMinutesAgo),
    });
    expect(stale.status).toBe(401);
    await expectNoHandlerRan([responseUrl]);
  });
});

describe('/onsim look-up list', () => {
  it('has a sample for every look-up, so the acknowledgement test covers them all', () => {
    const lookups = SUBCOMMANDS.filter((c) => c.role === 'viewer' && !NOT_LOOKUPS.includes(c.name));
    expect(lookups.map((c) => c.name).filter((name) => !(name in SAMPLE_ARGS))).toEqual([]);
    expect(lookups.map((c) => c.name)).toEqual(expect.arrayContaining(['account', 'esim']));
  });
});

describe('/onsim acknowledgement', () => {
  beforeEach(async () => {
    // Long enough that no ONSIM call of the bot ends on its own while the test holds ONSIM.
    bot = await startTestBot({ onsimTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await bot.close();
  });

  it('acknowledges every look-up while its ONSIM call is still open, says it is working, then answers', async () => {
    const release = bot.sandbox.hold();
    const lookups = SUBCOMMANDS.filter((c) => c.name in SAMPLE_ARGS);
    // Every sample is a subcommand, so the loops below cover each one (an empty list would pass them).
    expect(lookups.map((c) => c.name).sort()).toEqual(Object.keys(SAMPLE_ARGS).sort());
    // ONSIM answers nothing until released below: a bot that waited for ONSIM before acking would
    // never get these acks out (Slack would show the user "operation_timeout").
    const sent = await Promise.all(
      lookups.map(async (c) => {
        const text = `${c.name} ${SAMPLE_ARGS[c.name] ?? ''}`.trim();
        const result = await bot.driver.command(text);
        return { text, result, repliedBeforeAck: bot.slack.responsesTo(result.responseUrl).length };
      }),
    );
    for (const { text, result, repliedBeforeAck } of sent) {
      expect({ text, status: result.status, repliedBeforeAck }).toEqual({
        text,
        status: 200,
        repliedBeforeAck: 0,
      });
    }
    // Still held: each look-up has asked ONSIM, and tells the user it is waiting for it.
    await waitFor(() => bot.sandbox.requestCount >= sent.length, { what: 'every look-up asking ONSIM' });
    for (const { text, result } of sent) {
      const first = await waitFor(() => bot.slack.responsesTo(result.responseUrl)[0], {
        what: `the working note of ${text}`,
      });
      expect({ text, working: String(first.body.text).includes(WORKING_NOTE) }).toEqual({
        text,
        working: true,
      });
    }

    release();
    await Promise.all(sent.map(({ result }) => bot.answerAt(result.responseUrl, 20_000)));
    for (const { text, result } of sent) {
      const last = bot.slack.responsesTo(result.responseUrl).at(-1);
      expect({ text, answered: !String(last?.body.text).includes(WORKING_NOTE) }).toEqual({
        text,
        answered: true,
      });
      // The answer replaces the working note instead of piling up under it.
      expect({ text, replaces: last?.body.replace_original }).toEqual({ text, replaces: true });
    }
    const account = sent.find((s) => s.text.startsWith('account '));
    const answer = bot.slack.responsesTo(account?.result.responseUrl ?? '').at(-1);
    expect(String(answer?.body.text)).toContain('+44 7700 900123');
  });
});

describe('every look-up', () => {
  /** Short ONSIM timeouts, so a hanging ONSIM is given up on quickly; sandbox marks on. */
  beforeEach(async () => {
    bot = await startTestBot({ onsimTimeoutMs: 300 });
    bot.deps.sandbox = true;
  });
  afterEach(async () => {
    await bot.close();
  });

  const LOOKUPS = Object.entries(SAMPLE_ARGS).map(([name, args]) => `${name} ${args}`.trim());
  /** `csv` answers with a file in the DMs, not with the list itself: nothing to share. */
  const SHOWN = LOOKUPS.filter((text) => !text.startsWith('csv'));

  async function answers(
    texts: readonly string[],
  ): Promise<Array<{ text: string; answer: RecordedResponse }>> {
    expect(texts.length).toBeGreaterThan(0);
    return Promise.all(
      texts.map(async (text) => {
        const sent = await bot.driver.command(text, { user: USERS.admin });
        return { text, answer: await bot.answerAt(sent.responseUrl, 15_000) };
      }),
    );
  }

  const shareButtonOf = (answer: RecordedResponse) =>
    buttonsIn(answer.body).find((e) => e.action_id === ACTION_SHARE);

  it('answers privately, marked Sandbox, with a Share in channel button that re-runs it', async () => {
    for (const { text, answer } of await answers(LOOKUPS)) {
      expect({ text, type: answer.body.response_type }).toEqual({ text, type: 'ephemeral' });
      expect({ text, marked: String(answer.body.text).startsWith(SANDBOX_PREFIX) }).toEqual({
        text,
        marked: true,
      });
      expect({ text, note: JSON.stringify(answer.body.blocks).includes('🧪 *Sandbox*') }).toEqual({
        text,
        note: true,
      });
      if (SHOWN.includes(text)) {
        expect({ text, share: shareButtonOf(answer)?.value }).toEqual({ text, share: rerunValue(text, 0) });
      }
    }
  });

  it('shares each look-up in the channel for everyone, marked Sandbox, saying who shared it', async () => {
    expect(SHOWN.length).toBe(LOOKUPS.length - 1);
    for (const text of SHOWN) {
      const click = await bot.driver.blockAction({
        actionId: ACTION_SHARE,
        value: rerunValue(text, 0),
        user: USERS.viewer,
        message: { ts: '1.1' },
      });
      const shared = await bot.answerAt(click.responseUrl ?? '', 15_000);
      expect({ text, type: shared.body.response_type }).toEqual({ text, type: 'in_channel' });
      const shown = JSON.stringify(shared.body.blocks);
      expect({
        text,
        by: shown.includes(`Shared by <@${USERS.viewer}>`),
        note: shown.includes('🧪 *Sandbox*'),
      }).toEqual({ text, by: true, note: true });
    }
  });

  it('says ONSIM had an internal problem when it answers 500, and to try again later', async () => {
    bot.sandbox.setFault({ status: 500 });
    for (const { text, answer } of await answers(LOOKUPS)) {
      expect({ text, said: String(answer.body.text) }).toEqual({
        text,
        said: expect.stringMatching(
          /ONSIM had an internal problem \(500 Internal Server Error\).*try again in a few minutes/,
        ),
      });
    }
  });

  it('says ONSIM did not answer in time when it hangs', async () => {
    bot.sandbox.setFault({ hang: true });
    for (const { text, answer } of await answers(LOOKUPS)) {
      expect({ text, said: String(answer.body.text) }).toEqual({
        text,
        said: expect.stringContaining('ONSIM did not answer in time'),
      });
    }
  });
});

describe('running on the built-in sandbox', () => {
  withBot();

  it('marks every message Sandbox: replies, shared look-ups, channel records and private notes', async () => {
    bot.deps.sandbox = true;
    const settled = async (sent: Promise<{ responseUrl?: string }>) => {
      const { responseUrl } = await sent;
      if (responseUrl) await bot.answerAt(responseUrl, 10_000);
    };
    await settled(bot.driver.command(`account ${F.installedEsimMpn}`));
    await settled(
      bot.driver.blockAction({ actionId: ACTION_SHARE, value: rerunValue('ports'), message: { ts: '1.1' } }),
    );
    await settled(bot.driver.command('ports watch FAILED', { user: USERS.operator }));
    await settled(bot.driver.command(`bundle ${F.installedEsimMpn} UNLIMITED`, { user: USERS.operator }));
    await settled(
      bot.driver.blockAction({
        actionId: ACTION_ESIM_SHOW_CODE,
        value: `mpn:${F.readyEsimMpn}`,
        user: USERS.operator,
        message: { ts: '1.2' },
      }),
    );
    await settled(bot.driver.command('csv numbers'));
    await waitFor(() => bot.slack.messages().filter((m) => m.via === 'postMessage').length >= 2, {
      what: 'the channel records',
    });

    const messages = bot.slack.messages();
    expect(new Set(messages.map((m) => m.via))).toEqual(new Set(['response', 'postMessage']));
    expect(messages.some((m) => m.responseType === 'in_channel')).toBe(true);
    for (const m of messages) {
      const seen = { text: m.text.slice(0, 60), prefix: m.text.startsWith(SANDBOX_PREFIX) };
      expect(seen).toEqual({ text: seen.text, prefix: true });
      expect({ text: seen.text, note: JSON.stringify(m.blocks).includes('🧪 *Sandbox*') }).toEqual({
        text: seen.text,
        note: true,
      });
    }
  });

  it('marks nothing when ONSIM is the real one', async () => {
    const sent = await bot.driver.command(`account ${F.installedEsimMpn}`);
    const answer = await bot.answerAt(sent.responseUrl);
    expect(String(answer.body.text)).not.toContain('Sandbox');
    expect(JSON.stringify(answer.body.blocks)).not.toContain('Sandbox');
  });
});

describe('/onsim routing', () => {
  withBot();

  it('suggests the closest command for a typo', async () => {
    const typo = await bot.driver.command('acount 07700 900123');
    const answer = await bot.answerAt(typo.responseUrl);
    expect(JSON.stringify(answer.body.blocks)).toContain('Did you mean `account`?');
    expect(bot.sandbox.requests).toEqual([]);
  });

  it('shows help for a bare /onsim and for help, with fewer commands for a viewer than for an admin', async () => {
    const commandLines = async (text: string, user: string) => {
      const sent = await bot.driver.command(text, { user });
      const answer = await bot.answerAt(sent.responseUrl);
      const shown = JSON.stringify(answer.body.blocks);
      expect(shown).toContain('ONSIM bot — commands');
      return shown.split('\\n').filter((line) => line.includes(`• \`${SLASH_COMMAND} `));
    };
    const bare = await commandLines('', USERS.viewer);
    const viewer = await commandLines('help', USERS.viewer);
    const admin = await commandLines('help', USERS.admin);

    expect(bare).toEqual(viewer);
    expect(viewer.length).toBeGreaterThan(0);
    expect(admin.length).toBeGreaterThan(viewer.length);
    expect(viewer.some((line) => line.includes(`${SLASH_COMMAND} account &lt;mpn&gt;`))).toBe(true);
    expect(viewer.some((line) => line.includes(`${SLASH_COMMAND} cease`))).toBe(false);
    expect(admin.some((line) => line.includes(`${SLASH_COMMAND} cease`))).toBe(true);
  });
});

describe('graceful shutdown', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('lets a command acknowledged before shutdown finish its answer before the store closes', async () => {
    bot.sandbox.setLatency(800);
    const sent = await bot.driver.command(`account ${F.installedEsimMpn}`);
    expect(bot.slack.responsesTo(sent.responseUrl)).toHaveLength(0);
    expect(await bot.drain(50)).toBe(false); // still asking ONSIM
    expect(await bot.drain(10_000)).toBe(true);
    const answer = bot.slack.responsesTo(sent.responseUrl).at(-1);
    expect(String(answer?.body.text)).toContain('+44 7700 900123');
  });
});

describe('running on the built-in sandbox, end to end', () => {
  let sandboxed: TestBot;
  beforeEach(async () => {
    sandboxed = await startTestBot({ sandboxMode: true, env: { AUDIT_CHANNEL: 'CAUDIT' } });
  });
  afterEach(async () => {
    await sandboxed.close();
  });

  it('marks modals, modal answers, upload comments and audit-channel lines too', async () => {
    const note = '🧪 *Sandbox*';
    // A modal opened through the Web API.
    await sandboxed.driver.command('group add', { user: USERS.operator });
    const opened = await waitFor(() => sandboxed.slack.callsTo('views.open')[0], { what: 'the group form' });
    expect(JSON.stringify(opened.args.view)).toContain(note);
    // A modal answered in the submission's ack (the role is re-checked: a viewer is refused).
    const refused = await sandboxed.driver.viewSubmission({
      user: USERS.viewer,
      view: { callback_id: 'group_add', values: {} },
    });
    expect(JSON.stringify(refused.json)).toContain('"response_action":"update"');
    expect(JSON.stringify(refused.json)).toContain(note);
    // A file comment (the eSIM QR posted into the channel).
    await sandboxed.driver.command(`qr ${F.readyEsimMpn}`, { user: USERS.operator });
    const upload = await waitFor(() => sandboxed.slack.uploads[0], { what: 'the QR upload' });
    expect(upload.initialComment).toContain(SANDBOX_PREFIX);
    // Audit lines mirrored to AUDIT_CHANNEL.
    expect(await sandboxed.drain(10_000)).toBe(true);
    const mirrored = sandboxed.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CAUDIT');
    expect(mirrored.length).toBeGreaterThan(0);
    for (const call of mirrored) expect(String(call.args.text)).toContain(SANDBOX_PREFIX);
  });
});

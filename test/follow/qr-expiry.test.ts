// QR_TTL_HOURS: a posted QR image deletes itself once its time has passed, through the follow
// poller, unless someone deleted it first or the eSIM was installed (and said so) before.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowPoller } from '../../src/follow/poller.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_QR_DELETE } from '../../src/views/qr.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedCall } from '../support/fake-slack.js';
import { followPollerFor } from '../support/follow.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const TTL_HOURS = 2;
const dirs: string[] = [];
async function sqliteUrl(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'onsim-qr-ttl-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'bot.db')}`;
}
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
let clock = T0;
let bot: TestBot;
let poller: FollowPoller;

afterEach(async () => {
  await poller.stop();
  await bot.close();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(databaseUrl: string, ttlHours = TTL_HOURS) {
  clock = T0;
  bot = await startTestBot({ databaseUrl, env: { QR_TTL_HOURS: String(ttlHours) }, now: () => clock });
  poller = followPollerFor(bot, { now: () => clock });
}

const esimCode = (): string => {
  const code = bot.sandbox.state.sims.get(F.readyEsimIccid)?.esim?.code;
  if (!code) throw new Error('no eSIM code');
  return code;
};

/** An operator posts the QR of a typed activation code in C123: no follow-up, only its time. */
async function postQr(): Promise<{ ts: string; fileId: string; blocks: string }> {
  const sent = await bot.driver.command(`qr ${esimCode()}`, { user: USERS.operator, channel: 'C123' });
  expect(sent.status).toBe(200);
  const message = await waitFor(
    () => bot.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).startsWith('Delete the QR')),
    { what: 'the Delete QR message' },
  );
  const ts = bot.slack
    .messages()
    .find((m) => m.via === 'postMessage' && m.text.startsWith('Delete the QR'))?.ts;
  const fileId = bot.slack.uploads.at(-1)?.fileId;
  if (!ts || !fileId) throw new Error('QR not posted');
  // Recorded right after the message is posted: wait for it, as for any write after an answer.
  const recorded = await bot.store.dueQrExpiries(Number.MAX_SAFE_INTEGER, 5);
  if (bot.deps.config.qrTtlHours > 0) {
    await waitFor(async () => (await bot.store.dueQrExpiries(Number.MAX_SAFE_INTEGER, 5)).length === 1, {
      what: 'the QR expiry',
    });
  } else expect(recorded).toEqual([]);
  return { ts, fileId, blocks: JSON.stringify(message.args.blocks) };
}

const expiredUpdates = (ts: string): RecordedCall[] =>
  bot.slack
    .callsTo('chat.update')
    .filter((c) => c.args.ts === ts && String(c.args.text).includes('deleted by the bot'));

describe.each(STORE_ENGINES)('QR_TTL_HOURS (%s)', (_engine, engineUrl) => {
  const databaseUrl = async () => (await engineUrl()) ?? sqliteUrl();
  it('deletes the QR image once its hours have passed, and says so in its message, once', async () => {
    await start(await databaseUrl());
    const { ts, fileId, blocks } = await postQr();
    expect(blocks).toContain(`If it is still here in ${TTL_HOURS} h, the bot deletes this QR by itself`);

    clock += TTL_HOURS * 3_600_000 - 60_000;
    await poller.tickOnce();
    expect(bot.slack.callsTo('files.delete')).toHaveLength(0);

    clock += 60_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', qrs: 1 });
    expect(bot.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId]);
    const [update] = expiredUpdates(ts);
    expect(update?.args.channel).toBe('C123');
    expect(JSON.stringify(update?.args.blocks)).toContain(`deleted by the bot after ${TTL_HOURS} h`);
    expect(JSON.stringify(update?.args.blocks)).not.toContain(esimCode());

    clock += 60_000;
    await poller.tickOnce();
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);
    expect(expiredUpdates(ts)).toHaveLength(1);
  });

  it('leaves alone a QR someone deleted by hand before its time', async () => {
    await start(await databaseUrl());
    const { ts, fileId } = await postQr();
    const deleteButton = JSON.parse(
      JSON.stringify(bot.slack.messages().find((m) => m.ts === ts)?.blocks ?? []),
    ) as { elements?: { action_id?: string; value?: string }[] }[];
    const value = deleteButton
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTION_QR_DELETE)?.value;
    const clicked = await bot.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_QR_DELETE,
      value: value ?? '',
      channel: 'C123',
      message: { ts },
    });
    expect(clicked.status).toBe(200);
    await waitFor(
      () =>
        bot.slack
          .responsesTo(clicked.responseUrl ?? '')
          .find((r) => String(r.body.text).includes('was deleted by')),
      { what: 'the answer to the delete by hand' },
    );
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);

    clock += TTL_HOURS * 3_600_000 + 60_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', qrs: 0 });
    expect(bot.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId]);
    expect(expiredUpdates(ts)).toHaveLength(0);
  });

  it('tries again later when Slack refuses, and is not stopped by a message deleted meanwhile', async () => {
    await start(await databaseUrl());
    const { ts, fileId } = await postQr();
    clock += TTL_HOURS * 3_600_000;
    bot.slack.failNext('files.delete', { error: 'internal_error' });
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', qrs: 1 });
    expect(expiredUpdates(ts)).toHaveLength(0);

    // Not at the next tick: ten minutes later.
    clock += 60_000;
    await poller.tickOnce();
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);

    clock += 10 * 60_000;
    bot.slack.failNext('chat.update', { error: 'message_not_found' });
    await poller.tickOnce();
    expect(bot.slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([fileId, fileId]);
    clock += 60 * 60_000;
    await poller.tickOnce();
    expect(bot.slack.callsTo('files.delete')).toHaveLength(2);
  });
});

describe('QR_TTL_HOURS and the install follow-up', () => {
  it('leaves the install message alone: the QR was deleted at install, its time has nothing to do', async () => {
    await start(await sqliteUrl());
    const sent = await bot.driver.command(`qr ${F.readyEsimMpn}`, { user: USERS.operator, channel: 'C123' });
    expect(sent.status).toBe(200);
    await waitFor(async () => (await bot.store.dueQrExpiries(Number.MAX_SAFE_INTEGER, 5)).length === 1, {
      what: 'the QR expiry',
    });
    await waitFor(async () => (await bot.store.listEsimFollowUps(['waiting'], 5)).length === 1, {
      what: 'the follow-up',
    });
    bot.sandbox.installEsim(F.readyEsimIccid);
    clock += 60_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', esims: 1 });
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);

    clock += TTL_HOURS * 3_600_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', qrs: 0 });
    expect(bot.slack.callsTo('files.delete')).toHaveLength(1);
    expect(
      bot.slack.callsTo('chat.update').filter((c) => String(c.args.text).includes('deleted by the bot')),
    ).toEqual([]);
  });
});

describe('without QR_TTL_HOURS', () => {
  it('never deletes a QR by time', async () => {
    await start(await sqliteUrl(), 0);
    const { blocks } = await postQr();
    expect(blocks).not.toContain('deletes this QR by itself');
    clock += 30 * 24 * 3_600_000;
    expect(await poller.tickOnce()).toMatchObject({ status: 'ran', qrs: 0 });
    expect(bot.slack.callsTo('files.delete')).toHaveLength(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../src/onsim/sandbox/server.js';
import { KV } from '../src/porting/watcher.js';
import { SANDBOX_NOTE } from '../src/slack/message.js';
import {
  ACTION_HOME_LOOKUP,
  ACTION_HOME_PORT_DETAILS,
  ACTION_HOME_PROVISION,
  ACTION_LOOKUP_OPEN,
  ACTION_LOOKUP_QUERY,
  BLOCK_LOOKUP_QUERY,
  HOME_BLOCKS_MAX,
  HOME_LOOKUP_CALLBACK_ID,
} from '../src/views/home.js';
import { auditEntry } from './support/audit.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS } from './support/bot.js';
import type { RecordedCall } from './support/fake-slack.js';
import { waitFor } from './support/wait.js';

let bot: TestBot;
afterEach(async () => {
  await bot?.close();
});

async function start(opts: TestBotOptions = {}) {
  bot = await startTestBot(opts);
  return bot;
}

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; text?: { text: string }; value?: string }[];
  accessory?: { action_id?: string; value?: string };
};

const blocksOf = (call: RecordedCall): Block[] => (call.args.view as { blocks: Block[] }).blocks ?? [];
const shown = (call: RecordedCall): string => JSON.stringify(blocksOf(call));
const actionIds = (call: RecordedCall): string[] =>
  blocksOf(call)
    .flatMap((b) => [...(b.elements ?? []).map((e) => e.action_id), b.accessory?.action_id])
    .filter((x): x is string => !!x);

/** An operator's bundle change, which only admins (and the operator) see on their Home. */
const operatorBundle = auditEntry({ at: 2, operation: 'bundle', target: F.installedEsimMpn });

async function openHome(user: string, publishes = 1): Promise<RecordedCall[]> {
  const before = bot.slack.callsTo('views.publish').length;
  const sent = await bot.driver.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  expect(sent.status).toBe(200);
  await waitFor(() => bot.slack.callsTo('views.publish').length >= before + publishes, {
    what: `${publishes} Home publish(es)`,
    timeoutMs: 15_000,
  });
  return bot.slack.callsTo('views.publish').slice(before);
}

describe('App Home dashboard', () => {
  it('shows a viewer the open ports (failures first), their own actions and the look-up, but no provisioning', async () => {
    await start();
    await bot.store.appendAudit(
      auditEntry({ at: 1, userId: USERS.viewer, operation: 'csv', target: 'subscribers' }),
    );
    await bot.store.appendAudit(operatorBundle);
    const [home] = await openHome(USERS.viewer);
    if (!home) throw new Error('no publish');
    expect(home.args.user_id).toBe(USERS.viewer);
    const text = shown(home);
    expect(text).toContain('Open ports');
    expect(text).toContain('live from ONSIM');
    const portLines = blocksOf(home).filter((b) => b.accessory?.action_id === ACTION_HOME_PORT_DETAILS);
    expect(portLines.length).toBeGreaterThan(3);
    expect(portLines[0]?.text?.text).toContain('FAILED');
    expect(portLines.at(-1)?.text?.text).toContain('INITIAL');
    expect(portLines.some((b) => b.text?.text.includes('COMPLETE'))).toBe(false);
    expect(text).toContain('Your recent actions');
    expect(text).toContain('*csv*');
    expect(text).not.toContain('*bundle*');
    expect(actionIds(home)).toContain(ACTION_HOME_LOOKUP);
    expect(actionIds(home)).not.toContain(ACTION_HOME_PROVISION);
    expect(blocksOf(home).length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
    expect(bot.blockKitProblems()).toEqual([]);
  });

  it('offers operators "Provision a SIM" and shows admins everyone\'s latest actions', async () => {
    await start();
    await bot.store.appendAudit(operatorBundle);
    const [operator] = await openHome(USERS.operator);
    expect(actionIds(operator!)).toContain(ACTION_HOME_PROVISION);
    expect(shown(operator!)).toContain('*bundle*');
    const [admin] = await openHome(USERS.admin);
    expect(actionIds(admin!)).toContain(ACTION_HOME_PROVISION);
    expect(shown(admin!)).toContain('Latest actions (everyone)');
    expect(shown(admin!)).toContain(`<@${USERS.operator}>`);
  });

  it('names a channel-wide action by its channel, never by a raw channel id as its target', async () => {
    await start();
    await bot.store.appendAudit(
      auditEntry({
        at: 3,
        channelId: 'C0PORT001',
        operation: 'ports watch',
        target: 'C0PORT001',
        detail: 'ports reaching FAILED',
      }),
    );
    const [admin] = await openHome(USERS.admin);
    expect(shown(admin!)).toContain('*ports watch* · succeeded');
    expect(shown(admin!)).toContain('in <#C0PORT001>');
    expect(shown(admin!)).not.toContain('`C0PORT001`');
  });

  it('publishes at once when ONSIM takes 5 s, saying the ports are on their way, then says what is missing', async () => {
    await start();
    bot.sandbox.setLatency(5_000);
    const [first, second] = await openHome(USERS.viewer, 2);
    // The first publish could only say this because ONSIM had not answered yet.
    expect(shown(first!)).toContain('Asking ONSIM for the open ports');
    expect(shown(first!)).toContain('Your recent actions');
    expect(shown(second!)).toContain('Open ports are missing');
    expect(shown(second!)).toMatch(/did not answer|timed out|not reachable|could not/i);
  });

  it('still publishes, with everything else, when ONSIM is down', async () => {
    await start();
    bot.sandbox.setFault({ status: 503, times: 100 });
    const calls = await openHome(USERS.operator);
    const last = calls.at(-1)!;
    await waitFor(
      () => shown(bot.slack.callsTo('views.publish').at(-1)!).includes('Open ports are missing'),
      { what: 'the missing-ports note' },
    );
    expect(shown(bot.slack.callsTo('views.publish').at(-1)!)).toContain('Your recent actions');
    expect(actionIds(last)).toContain(ACTION_HOME_PROVISION);
  });

  it("uses the porting watcher's recent view of the ports without asking ONSIM", async () => {
    await start();
    const now = Date.now();
    await bot.store.applyPortPoll({
      upserts: [
        {
          portId: '7',
          status: 'FAILED',
          data: { trID: '7', number: F.installedEsimMpn, portinNumber: '447700900777', status: 'FAILED' },
          seenAt: now,
        },
        {
          portId: '8',
          status: 'COMPLETE',
          data: { trID: '8', number: F.readyEsimMpn, portinNumber: '447700900778', status: 'COMPLETE' },
          seenAt: now,
        },
      ],
      deletes: [],
      outbox: [],
      kv: { [KV.lastPollAt]: String(now) },
    });
    const [home] = await openHome(USERS.viewer);
    expect(bot.sandbox.requestsTo('GET', '/port/')).toHaveLength(0);
    expect(shown(home!)).toContain('porting watcher saw them');
    expect(shown(home!)).toContain('+44 7700 900777');
    expect(shown(home!)).not.toContain('900778');
  });

  it('stays within 100 blocks with thousands of open ports, and carries the sandbox mark', async () => {
    await start({ sandboxMode: true });
    bot.sandbox.seedPorts(5_000);
    for (let i = 0; i < 30; i++) {
      await bot.store.appendAudit(
        auditEntry({
          at: i,
          userId: USERS.admin,
          operation: 'cease',
          target: `44770090${i}`,
          detail: 'x'.repeat(400),
        }),
      );
    }
    const [home] = await openHome(USERS.admin);
    expect(blocksOf(home!).length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
    expect(shown(home!)).toContain('more: `/onsim ports` lists them all');
    expect(JSON.stringify(blocksOf(home!)[0])).toContain(SANDBOX_NOTE.slice(0, 20));
    expect(bot.blockKitProblems()).toEqual([]);
  });

  it('lists eSIMs waiting to be installed and watched lines near their data limit', async () => {
    await start();
    const sent = await bot.driver.command(`qr ${F.readyEsimMpn}`, { user: USERS.operator, channel: 'C123' });
    expect(sent.status).toBe(200);
    await waitFor(async () => (await bot.store.listEsimFollowUps(['waiting'], 5)).length === 1, {
      what: 'the follow-up',
    });
    const { watch } = await bot.store.upsertUsageWatch({
      channelId: 'C777',
      mpn: F.installedEsimMpn,
      threshold: 80,
      createdBy: USERS.operator,
      createdAt: 1,
    });
    await bot.store.updateUsageWatch(watch.id, { lastPercent: 93.4, lastBundle: '10GB' });
    await bot.store.upsertUsageWatch({
      channelId: 'C777',
      mpn: F.readyEsimMpn,
      threshold: 80,
      createdBy: USERS.operator,
      createdAt: 1,
    });
    const [home] = await openHome(USERS.viewer);
    const text = shown(home!);
    expect(text).toContain('eSIMs waiting to be installed');
    expect(text).toContain('⏳ *+44 7700 900124* · sent');
    expect(text).toContain('Lines near their data limit');
    expect(text).toContain('🟠 *+44 7700 900123* · 93% used of 10GB · watched in <#C777>');
    expect(text).not.toContain('🟠 *+44 7700 900124*');
  });

  it("opens a port's details from its button", async () => {
    await start();
    const clicked = await bot.driver.blockAction({
      actionId: ACTION_HOME_PORT_DETAILS,
      value: F.failedPortId,
      container: { type: 'view', view_id: 'VHOME' },
    });
    expect(clicked.status).toBe(200);
    const filled = await waitFor(() => bot.slack.callsTo('views.update')[0], { what: 'the port details' });
    expect(JSON.stringify(filled.args.view)).toContain('FAILED');
    expect(JSON.stringify(filled.args.view)).not.toContain('share_in_channel');
  });
});

describe('"Look up an account" from Home', () => {
  const submit = (value: string) =>
    bot.driver.viewSubmission({
      view: {
        callback_id: HOME_LOOKUP_CALLBACK_ID,
        values: { [BLOCK_LOOKUP_QUERY]: { [ACTION_LOOKUP_QUERY]: { type: 'plain_text_input', value } } },
      },
    });

  it('takes a number and shows the account card in the modal', async () => {
    await start();
    await bot.driver.blockAction({
      actionId: ACTION_HOME_LOOKUP,
      value: 'home',
      container: { type: 'view', view_id: 'VHOME' },
    });
    const opened = await waitFor(() => bot.slack.callsTo('views.open')[0], { what: 'the look-up modal' });
    expect(JSON.stringify(opened.args.view)).toContain(`"block_id":"${BLOCK_LOOKUP_QUERY}"`);
    const sent = await submit('07700 900123');
    expect(sent.json).toMatchObject({ response_action: 'update' });
    const card = await waitFor(() => bot.slack.callsTo('views.update')[0], { what: 'the card' });
    expect(JSON.stringify(card.args.view)).toContain('Olivia Bennett');
    expect(JSON.stringify(card.args.view)).toContain('*Services*');
  });

  it('takes a name with several matches and opens the one picked', async () => {
    await start();
    bot.sandbox.addSubscriber({ firstName: 'Ann', lastName: 'Lookupson' });
    bot.sandbox.addSubscriber({ firstName: 'Bob', lastName: 'Lookupson' });
    await bot.driver.blockAction({
      actionId: ACTION_HOME_LOOKUP,
      value: 'home',
      container: { type: 'view', view_id: 'VHOME' },
    });
    await waitFor(() => bot.slack.callsTo('views.open')[0], { what: 'the look-up modal' });
    await submit('lookupson');
    const list = await waitFor(() => bot.slack.callsTo('views.update')[0], { what: 'the matches' });
    expect(JSON.stringify(list.args.view)).toContain('2 matches');
    const view = list.args.view as { blocks: Block[] };
    const pick =
      view.blocks.find((b) => b.accessory?.action_id === ACTION_LOOKUP_OPEN)?.accessory?.value ?? '';
    await bot.driver.blockAction({
      actionId: ACTION_LOOKUP_OPEN,
      value: pick,
      view: { id: String(list.args.view_id), callback_id: HOME_LOOKUP_CALLBACK_ID },
    });
    const card = await waitFor(() => bot.slack.callsTo('views.update')[1], { what: 'the card' });
    expect(JSON.stringify(card.args.view)).toContain('Ann Lookupson');
  });

  it('asks for something to look up when the field is empty', async () => {
    await start();
    await bot.driver.blockAction({
      actionId: ACTION_HOME_LOOKUP,
      value: 'home',
      container: { type: 'view', view_id: 'VHOME' },
    });
    await waitFor(() => bot.slack.callsTo('views.open')[0], { what: 'the look-up modal' });
    const sent = await submit('  ');
    expect(sent.json).toMatchObject({
      response_action: 'errors',
      errors: { [BLOCK_LOOKUP_QUERY]: expect.stringContaining('07700 900123') },
    });
  });
});

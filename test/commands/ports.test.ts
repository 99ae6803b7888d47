import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_SHARE, rerunValue } from '../../src/views/rerun.js';
import { buttonsIn } from '../support/blocks.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

const CHANNEL = 'C0PORTS';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string = USERS.viewer, channel = CHANNEL) {
  const sent = await bot.driver.command(text, { user, channel });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return { body: answer.body, shown: JSON.stringify(answer.body.blocks ?? []) };
}

/** Port ids shown in a list (`id \`1004\``). */
const shownIds = (shown: string): string[] => [...shown.matchAll(/id `(\d+)`/g)].map((m) => m[1] ?? '');

const portPaths = () => bot.sandbox.requestsTo('GET', '/port/').map((r) => r.path);

describe('/onsim ports', () => {
  it('shows the open ports by default (INITIAL and IN PROGRESS) from one ONSIM call, with status emoji', async () => {
    const { body, shown } = await ask('ports');

    expect(portPaths()).toEqual(['/port/all/ALL']);
    const all = await bot.deps.onsim.porting.list('ALL');
    const open = all.filter((p) => p.status === 'INITIAL' || p.status === 'IN PROGRESS');
    expect(open).toHaveLength(6);
    expect(shownIds(shown).sort()).toEqual(open.map((p) => p.trID).sort());
    expect(shown).toContain(':new: INITIAL');
    expect(shown).toContain(':hourglass_flowing_sand: IN PROGRESS');
    expect(shown).not.toContain('COMPLETE ·');
    expect(shown).toContain('Open ports');
    expect(body.response_type).toBe('ephemeral');
    const share = buttonsIn(body).find((b) => b.action_id === ACTION_SHARE);
    expect(share?.value).toBe(rerunValue('ports', 0));
  });

  it('masks every PAC to its last 3 characters', async () => {
    const { shown } = await ask('ports all');
    const all = await bot.deps.onsim.porting.list('ALL');
    expect(shownIds(shown)).toHaveLength(all.length);
    for (const p of all) {
      const pac = p.PAC ?? '';
      expect(pac.length).toBeGreaterThan(3);
      expect(shown).not.toContain(pac);
      expect(shown).toContain(`PAC •••••${pac.slice(-3)}`);
    }
  });

  it.each([['ports in-progress'], ['ports "IN PROGRESS"'], ['ports in_progress'], ['ports In Progress']])(
    'understands `%s` as IN PROGRESS and asks ONSIM for exactly that state',
    async (text) => {
      const { shown } = await ask(text);
      expect(bot.sandbox.requestsTo('GET', '/port/').map((r) => r.rawPath)).toEqual([
        '/port/all/IN%20PROGRESS',
      ]);
      expect(shownIds(shown)).toHaveLength(3);
      expect(shown).toContain('Ports: IN PROGRESS');
    },
  );

  it('shows FAILED prominently', async () => {
    const { shown } = await ask('ports failed');
    expect(portPaths()).toEqual(['/port/all/FAILED']);
    expect(shown).toContain(':rotating_light: *FAILED*');
    expect(shownIds(shown)).toContain(F.failedPortId);
  });

  it('takes several states, fetching ALL once and keeping only those', async () => {
    const { shown } = await ask('ports complete closed');
    expect(portPaths()).toEqual(['/port/all/ALL']);
    expect(shownIds(shown).sort()).toEqual(
      (await bot.deps.onsim.porting.list('ALL'))
        .filter((p) => p.status === 'COMPLETE' || p.status === 'CLOSED')
        .map((p) => p.trID)
        .sort(),
    );
  });

  it('names the valid states and gives an example for a word that is not a state, without asking ONSIM', async () => {
    const { shown } = await ask('ports pending');
    expect(shown).toContain('`pending` is not a port state');
    expect(shown).toContain('`in-progress`');
    expect(shown).toContain('`open` (INITIAL and IN PROGRESS, the default)');
    expect(shown).toContain('/onsim ports in-progress');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('answers an ONSIM 500 with what failed', async () => {
    bot.sandbox.setFault({ status: 500, match: { pathPrefix: '/port/' } });
    const { shown } = await ask('ports');
    expect(shown).toContain('ONSIM had an internal problem (500');
    expect(shown).toContain('list ports');
  });
});

describe('/onsim port', () => {
  it('shows one port as a card: status, numbers, masked PAC, dates and a Share button', async () => {
    const { body, shown } = await ask(`port ${F.failedPortId}`);
    const port = await bot.deps.onsim.porting.get(F.failedPortId);

    expect(bot.sandbox.requestsTo('GET', `/port/${F.failedPortId}`)).toHaveLength(2);
    expect(shown).toContain('Port failed');
    expect(shown).toContain(`•••••${port.PAC?.slice(-3)}`);
    expect(shown).not.toContain(String(port.PAC));
    expect(shown).toContain(`PAC valid until ${port.validUntil}`);
    const share = buttonsIn(body).find((b) => b.action_id === ACTION_SHARE);
    expect(share?.value).toBe(rerunValue(`port ${F.failedPortId}`, 0));
  });

  it('says when ONSIM knows no such port, and where to find the ids', async () => {
    const { shown } = await ask('port 9999');
    expect(shown).toContain('ONSIM found nothing');
    expect(shown).toContain('/onsim ports all');
  });

  it('asks for an id when none is given, and rejects one that cannot be an id', async () => {
    expect((await ask('port')).shown).toContain('Which port?');
    expect((await ask('port 10/01')).shown).toContain('`10/01` is not a port id');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('/onsim ports watch, unwatch, watching', () => {
  it('lets an operator watch the channel for some states of one number, echoing the effective filter', async () => {
    const { shown } = await ask('ports watch failed COMPLETE 07700 900123', USERS.operator);

    const effective = 'ports reaching FAILED or COMPLETE for +44 7700 900123';
    expect(shown).toContain(`Watching *${effective}* in this channel`);
    const watches = await bot.store.listWatches(CHANNEL);
    expect(watches).toEqual([
      expect.objectContaining({
        channelId: CHANNEL,
        states: ['FAILED', 'COMPLETE'],
        number: '447700900123',
        createdBy: USERS.operator,
      }),
    ]);
    const record = await waitFor(() =>
      bot.slack.messages().find((m) => m.via === 'postMessage' && m.channel === CHANNEL),
    );
    expect(JSON.stringify(record.blocks)).toContain(
      `<@${USERS.operator}> set this channel to follow *${effective}*`,
    );
    const audit = await bot.store.listAudit({ limit: 5 });
    expect(audit[0]).toMatchObject({ operation: 'ports watch', event: 'succeeded', detail: effective });
  });

  it('watches every change when no filter is given, and does not add the same watch twice', async () => {
    expect((await ask('ports watch', USERS.admin)).shown).toContain('Watching *all port changes*');
    expect((await ask('ports watch ALL', USERS.operator)).shown).toContain(
      'already follows *all port changes*',
    );
    expect(await bot.store.listWatches(CHANNEL)).toHaveLength(1);
  });

  it('refuses a viewer, says who can help, stores nothing and audits the refusal', async () => {
    const { shown } = await ask('ports watch FAILED', USERS.viewer);

    expect(shown).toContain('needs the *operator* role');
    expect(shown).toContain(`<@${USERS.operator}>`);
    expect(await bot.store.listWatches()).toEqual([]);
    const [refusal] = await bot.store.listAudit({ limit: 1 });
    expect(refusal).toMatchObject({ operation: 'ports watch', event: 'refused', userId: USERS.viewer });
  });

  it('says what is wrong with a filter it cannot read, with an example, and stores nothing', async () => {
    const { shown } = await ask('ports watch sometimes', USERS.operator);
    expect(shown).toContain('is not a port state or a phone number');
    expect(shown).toContain('/onsim ports watch FAILED COMPLETE');
    expect(await bot.store.listWatches()).toEqual([]);
  });

  it('warns that alerts cannot arrive when the bot cannot post in the channel, and keeps the watch', async () => {
    bot.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const { shown } = await ask('ports watch FAILED', USERS.operator);
    expect(shown).toContain('Watching *ports reaching FAILED*');
    expect(shown).toContain('not_in_channel');
    expect(shown).toContain('alerts cannot arrive here yet');
    expect(await bot.store.listWatches(CHANNEL)).toHaveLength(1);
  });

  it('lists what this channel watches, with filter, creator and date, for anyone; other channels are left out', async () => {
    await bot.store.addWatch({
      channelId: CHANNEL,
      states: ['FAILED'],
      number: null,
      createdBy: USERS.operator,
      createdAt: Date.UTC(2026, 10, 20, 9, 15),
    });
    await bot.store.addWatch({
      channelId: CHANNEL,
      states: [],
      number: '447700900124',
      createdBy: USERS.admin,
      createdAt: Date.UTC(2026, 10, 21, 16, 0),
    });
    await bot.store.addWatch({
      channelId: 'COTHER',
      states: ['CLOSED'],
      number: null,
      createdBy: USERS.admin,
      createdAt: Date.UTC(2026, 10, 21, 16, 0),
    });

    const { shown } = await ask('ports watching', USERS.viewer);

    expect(shown).toContain(`*ports reaching FAILED* — set up by <@${USERS.operator}> <!date^`);
    expect(shown).toContain('|2026-11-20 09:15 UTC>');
    expect(shown).toContain(`*all port changes for +44 7700 900124* — set up by <@${USERS.admin}>`);
    expect(shown).not.toContain('CLOSED');
    expect(shown).toContain('2 watches');
  });

  it('shows the alerts Slack refused for good in this channel, and a pause of all delivery', async () => {
    await bot.store.enqueueOutbox([
      { dedupeKey: 'dead-1', channelId: CHANNEL, kind: 'port_alert', payload: {}, portId: '1004' },
      { dedupeKey: 'dead-2', channelId: 'COTHER', kind: 'port_alert', payload: {}, portId: '1005' },
    ]);
    for (const item of await bot.store.dueOutbox(Date.now() + 1, 10)) {
      await bot.store.markOutboxDead(item.id, Date.UTC(2026, 10, 22, 8, 0), 'is_archived');
    }
    await bot.store.setKv(
      'porting.slack_paused',
      JSON.stringify({ since: Date.UTC(2026, 10, 22, 9, 0), reason: 'invalid_auth' }),
    );

    const { shown } = await ask('ports watching');
    expect(shown).toContain('Alerts Slack refused for good');
    expect(shown).toContain('Alert of port 1004 — `is_archived`, <!date^');
    expect(shown).not.toContain('1005');
    expect(shown).toContain('Slack is refusing every porting alert');
    expect(shown).toContain('`invalid_auth`');

    await bot.store.setKv('porting.slack_paused', null);
    expect((await ask('ports watching')).shown).not.toContain('Slack is refusing');
  });

  it('says so when the channel watches nothing', async () => {
    const { shown } = await ask('ports watching');
    expect(shown).toContain('This channel follows no ports');
    expect(shown).toContain('0 watches');
  });

  it('lets an operator stop every watch of the channel, leaving other channels alone; a viewer cannot', async () => {
    await ask('ports watch FAILED', USERS.operator);
    await ask('ports watch 07700 900123', USERS.operator);
    await ask('ports watch', USERS.operator, 'COTHER');

    const refused = await ask('ports unwatch', USERS.viewer);
    expect(refused.shown).toContain('needs the *operator* role');
    expect(await bot.store.listWatches(CHANNEL)).toHaveLength(2);

    const { shown } = await ask('ports unwatch', USERS.operator);
    expect(shown).toContain('Stopped 2 watches in this channel');
    expect(shown).toContain('ports reaching FAILED; all port changes for +44 7700 900123');
    expect(await bot.store.listWatches(CHANNEL)).toEqual([]);
    expect(await bot.store.listWatches('COTHER')).toHaveLength(1);

    expect((await ask('ports unwatch', USERS.operator)).shown).toContain('follows no ports');
  });
});

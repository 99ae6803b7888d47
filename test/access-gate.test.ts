import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_PAGE, ACTION_SHARE, rerunValue } from '../src/commands/router.js';
import { SANDBOX_FIXTURES as F } from '../src/onsim/sandbox/server.js';
import { ACTION_LIST_CSV } from '../src/views/list.js';
import { PROVISION_SHORTCUT_ID } from '../src/views/provision.js';
import { startTestBot, type TestBot, USERS } from './support/bot.js';
import { waitFor } from './support/wait.js';

const GUEST = 'UGUEST';
const VISITOR = 'UVISITOR';

describe('who may use the bot at all', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  /** The ack's text plus every later answer the user got, as one string. */
  async function commandAnswer(b: TestBot, text: string, user: string): Promise<string> {
    const sent = await b.driver.command(text, { user });
    const ack = JSON.stringify(sent.json ?? null);
    if (ack.includes('⛔')) return ack;
    const reply = await waitFor(() => b.slack.responsesTo(sent.responseUrl)[0], {
      what: `the answer to ${text}`,
    });
    return JSON.stringify(reply.body);
  }

  const onsimRequests = (b: TestBot) => b.sandbox.requestCount;

  it('refuses guests and people of other workspaces every look-up, says why, and audits it', async () => {
    const b = await startTestBot();
    bot = b;
    b.slack.setUser(GUEST, { is_restricted: true });
    b.slack.setUser('USINGLE', { is_restricted: true, is_ultra_restricted: true });
    b.slack.setUser(VISITOR, { team_id: 'T_OTHER' });
    const before = onsimRequests(b);

    for (const [user, why] of [
      [GUEST, 'not open to guest accounts'],
      ['USINGLE', 'not open to guest accounts'],
      [VISITOR, 'members of its own workspace'],
    ] as const) {
      for (const text of [`account ${F.readyEsimMpn}`, 'subscribers', 'csv subscribers', 'help', 'whoami']) {
        const answer = await commandAnswer(b, text, user);
        expect(answer, `${user}: ${text}`).toContain(why);
      }
    }
    expect(onsimRequests(b)).toBe(before);
    expect(b.slack.uploads).toEqual([]);
    const refused = (await b.store.listAudit({ limit: 100 })).filter((e) => e.event === 'refused');
    expect(new Set(refused.map((e) => `${e.userId} ${e.operation} ${e.detail}`))).toEqual(
      new Set([
        `${GUEST} use the bot guest`,
        `USINGLE use the bot guest`,
        `${VISITOR} use the bot other_team`,
      ]),
    );
    // A member of the workspace still gets the answer.
    expect(await commandAnswer(b, `account ${F.readyEsimMpn}`, USERS.viewer)).toContain(
      'Account +44 7700 900124',
    );
  });

  it("refuses a guest's buttons, shortcut and Home tab too", async () => {
    const b = await startTestBot();
    bot = b;
    b.slack.setUser(GUEST, { is_restricted: true });
    const before = onsimRequests(b);

    for (const [actionId, value] of [
      [ACTION_PAGE, rerunValue('subscribers', 1)],
      [ACTION_SHARE, rerunValue('subscribers', 0)],
      [ACTION_LIST_CSV, 'subscribers'],
    ] as const) {
      const click = await b.driver.blockAction({ user: GUEST, actionId, value });
      const said = await waitFor(() => b.slack.responsesTo(click.responseUrl ?? '')[0], {
        what: `the refusal of ${actionId}`,
      });
      expect(said.body.response_type).toBe('ephemeral');
      expect(String(said.body.text)).toContain('not open to guest accounts');
    }
    await b.driver.shortcut(PROVISION_SHORTCUT_ID, { user: GUEST });
    const modal = await waitFor(() => b.slack.callsTo('views.open')[0], { what: 'the refusal modal' });
    expect(JSON.stringify(modal.args.view)).toContain('not open to guest accounts');

    await b.driver.event({ type: 'app_home_opened', user: GUEST, tab: 'home', channel: 'D1' });
    const home = await waitFor(() => b.slack.callsTo('views.publish')[0], { what: 'the refusal Home tab' });
    expect(JSON.stringify(home.args.view)).toContain('not open to guest accounts');

    expect(onsimRequests(b)).toBe(before);
    expect(b.slack.uploads).toEqual([]);
    expect(b.slack.messages().filter((m) => m.responseType === 'in_channel')).toEqual([]);
  });

  it('lets a guest or a visitor named in a role in, directly or through a user group', async () => {
    const b = await startTestBot({ env: { VIEWERS: `${GUEST},SPARTNERS` } });
    bot = b;
    b.slack.setUser(GUEST, { is_restricted: true });
    b.slack.setUser(VISITOR, { team_id: 'T_OTHER' });
    b.slack.setUser(USERS.operator, { is_restricted: true });
    b.slack.setUsergroup('SPARTNERS', [VISITOR]);

    expect(await commandAnswer(b, 'whoami', GUEST)).toContain('You are a *viewer*');
    expect(await commandAnswer(b, 'whoami', VISITOR)).toContain('You are a *viewer*');
    expect(await commandAnswer(b, 'whoami', USERS.operator)).toContain('You are an *operator*');
  });

  it('with VIEWERS set, refuses members of the workspace it does not name', async () => {
    const b = await startTestBot({ env: { VIEWERS: 'SLOOKERS' } });
    bot = b;
    b.slack.setUsergroup('SLOOKERS', ['ULOOKER']);

    expect(await commandAnswer(b, 'subscribers', USERS.viewer)).toContain('you are not among them');
    expect(await commandAnswer(b, 'whoami', 'ULOOKER')).toContain('You are a *viewer*');
    expect(await commandAnswer(b, 'whoami', USERS.admin)).toContain('You are an *admin*');
    // Named members need no account look-up at all.
    expect(b.slack.callsTo('users.info')).toEqual([]);
  });

  it('refuses when Slack cannot say who someone is (fail closed), and asks Slack once per user', async () => {
    const b = await startTestBot();
    bot = b;
    b.slack.failNext('users.info', { error: 'fatal_error' });
    expect(await commandAnswer(b, 'whoami', 'UNEW')).toContain('Slack could not tell me who you are');

    const asked = b.slack.callsTo('users.info').length;
    // The failure is remembered briefly: Slack is not asked again at once.
    expect(await commandAnswer(b, 'whoami', 'UNEW')).toContain('Slack could not tell me who you are');
    expect(b.slack.callsTo('users.info').length).toBe(asked);

    expect(await commandAnswer(b, 'whoami', 'UOTHER')).toContain('You are a *viewer*');
    expect(await commandAnswer(b, 'whoami', 'UOTHER')).toContain('You are a *viewer*');
    expect(b.slack.callsTo('users.info').filter((c) => c.args.user === 'UOTHER')).toHaveLength(1);
  });

  it('audits every CSV export and every share in channel', async () => {
    const b = await startTestBot();
    bot = b;
    await commandAnswer(b, 'csv groups', USERS.viewer);
    const click = await b.driver.blockAction({
      user: USERS.viewer,
      actionId: ACTION_SHARE,
      value: rerunValue(`account ${F.readyEsimMpn}`, 0),
    });
    await waitFor(() => b.slack.responsesTo(click.responseUrl ?? '')[0], { what: 'the shared card' });
    await waitFor(async () => (await b.store.listAudit({ limit: 10 })).length >= 4, {
      what: 'the audit entries',
    });

    const entries = (await b.store.listAudit({ limit: 10 })).reverse();
    expect(entries.map((e) => [e.operation, e.event, e.userId, e.channelId])).toEqual([
      ['csv export', 'requested', USERS.viewer, 'C123'],
      ['csv export', 'succeeded', USERS.viewer, 'C123'],
      ['share in channel', 'requested', USERS.viewer, 'C123'],
      ['share in channel', 'succeeded', USERS.viewer, 'C123'],
    ]);
    expect(entries[0]?.target).toMatch(/^onsim-groups-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(entries[2]?.target).toBe(F.readyEsimMpn);
    expect(entries[2]?.detail).toBe(`/onsim account ${F.readyEsimMpn}`);
  });
});

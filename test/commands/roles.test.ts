import { setTimeout as sleep } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { SUBCOMMANDS } from '../../src/commands/index.js';
import { LOOKUP_SHORTCUT_ID } from '../../src/commands/lookup-message.js';
import { listenerTable } from '../../src/listeners.js';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { createRoles } from '../../src/slack/roles.js';
import {
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_CEASE,
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_SETTINGS,
  ACTION_ESIM_QR,
  ACTION_ESIM_REFRESH,
} from '../../src/views/action-ids.js';
import { ACTION_HOME_PROVISION } from '../../src/views/home.js';
import { ACTION_LIST_CSV } from '../../src/views/list.js';
import { ACTION_OPEN, ACTION_PAGE, ACTION_SHARE } from '../../src/views/rerun.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../support/fake-slack.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const MPN = F.readyEsimMpn;
const MPN_TYPED = '07700 900124';

/** Buttons that start a write from a card or the Home tab, whoever handles them. */
const WRITE_ENTRY_BUTTONS = [
  ACTION_ACCOUNT_QR,
  ACTION_ACCOUNT_BUNDLE,
  ACTION_ACCOUNT_SETTINGS,
  ACTION_ACCOUNT_RECORDING,
  ACTION_ACCOUNT_CEASE,
  ACTION_ESIM_REFRESH,
  ACTION_ESIM_QR,
  ACTION_HOME_PROVISION,
];
const ESIM_BUTTONS: readonly string[] = [ACTION_ESIM_REFRESH, ACTION_ESIM_QR];
const buttonValue = (actionId: string) => (ESIM_BUTTONS.includes(actionId) ? `mpn:${MPN}` : MPN);

const REFUSAL = /needs the \*(operator|admin)\* role/;

async function answer(bot: TestBot, text: string, user: string) {
  const sent = await bot.driver.command(text, { user });
  const reply = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], {
    what: `the answer to ${text}`,
  });
  return `${String(reply.body.text)}\n${JSON.stringify(reply.body.blocks ?? [])}`;
}

describe.each(STORE_ENGINES)('roles (%s)', (_engine, databaseUrl) => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await bot?.close();
    bot = undefined;
  });

  it('`/onsim whoami` tells each caller their role and what it allows', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    expect(await answer(bot, 'whoami', USERS.viewer)).toContain('You are a *viewer*');
    expect(await answer(bot, 'whoami', USERS.operator)).toContain('You are an *operator*');
    const admin = await answer(bot, 'whoami', USERS.admin);
    expect(admin).toContain('You are an *admin*');
    expect(admin).toContain('cease SIMs');
    // It reads as a sentence: "you can do everything operators can, plus …".
    expect(admin).toMatch(/you can do everything operators can, plus /);
  });

  it('gives the roles of ADMINS and OPERATORS user groups to their members', async () => {
    bot = await startTestBot({
      databaseUrl: await databaseUrl(),
      env: { ADMINS: 'S123', OPERATORS: 'S456' },
    });
    bot.slack.setUsergroup('S123', ['UGRPADMIN']);
    bot.slack.setUsergroup('S456', ['UGRPOPER']);

    expect(await answer(bot, 'whoami', 'UGRPADMIN')).toContain('You are an *admin*');
    expect(await answer(bot, 'whoami', 'UGRPOPER')).toContain('You are an *operator*');
    // Named directly before, but no longer: only the groups count now.
    expect(await answer(bot, 'whoami', USERS.admin)).toContain('You are a *viewer*');

    const refused = await answer(bot, `cease ${MPN_TYPED}`, 'UGRPOPER');
    expect(refused).toMatch(REFUSAL);
    expect(refused).toContain('<!subteam^S123>');
    await bot.driver.command(`cease ${MPN_TYPED}`, { user: 'UGRPADMIN' });
    await waitFor(() => bot?.slack.callsTo('views.open').length, {
      what: 'the cease form for a group admin',
    });
  });

  it('shows a viewer fewer commands in help than an operator, and an operator fewer than an admin', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    const viewer = await answer(bot, 'help', USERS.viewer);
    const operator = await answer(bot, 'help', USERS.operator);
    const admin = await answer(bot, 'help', USERS.admin);

    const listed = (help: string) =>
      SUBCOMMANDS.filter((c) => new RegExp(`/onsim ${c.name}[\\s\`]`).test(help)).map((c) => c.name);
    expect(listed(viewer)).toEqual(SUBCOMMANDS.filter((c) => c.role === 'viewer').map((c) => c.name));
    expect(listed(operator)).toEqual(SUBCOMMANDS.filter((c) => c.role !== 'admin').map((c) => c.name));
    expect(listed(admin)).toEqual(SUBCOMMANDS.map((c) => c.name));
    expect(listed(viewer)).not.toContain('recording');
    expect(listed(operator)).toContain('recording');
    expect(listed(operator)).not.toContain('cease');
    expect(viewer).toContain('ask an admin to add you to OPERATORS');
    // The commands above a viewer's role are named, with who holds those roles.
    expect(viewer).toMatch(/Need the operator role:\* [^\n]*`provision`[^\n]*`qr`/);
    expect(viewer).toMatch(
      new RegExp(`Need the admin role:\\* [^\\n]*\`cease\`[^\\n]*admins: <@${USERS.admin}>`),
    );
    expect(operator).toContain('`cease`');
    expect(operator).not.toContain('Need the operator role');
    expect(admin).not.toContain('Need the');
  });

  it('lets a viewer reach no write operation through any command, button, modal or shortcut', async () => {
    const b = await startTestBot({ databaseUrl: await databaseUrl() });
    bot = b;
    // Every listener the app registers (src/listeners.ts registers exactly this table).
    const table = listenerTable(b.deps);
    const registered = {
      action: Object.keys(table.actions),
      // Submissions only: view_closed listeners only cancel.
      view: Object.keys(table.submissions),
      shortcut: Object.keys(table.shortcuts),
    };

    // Everything registered is a write path or leads to one, except the look-ups any viewer
    // may start.
    const writeSubs = SUBCOMMANDS.filter((c) => c.role !== 'viewer');
    const forViewers: readonly string[] = [
      ACTION_PAGE,
      ACTION_SHARE,
      ACTION_OPEN,
      ACTION_LIST_CSV,
      LOOKUP_SHORTCUT_ID,
    ];
    const owned = {
      action: new Set(registered.action.filter((id) => !forViewers.includes(id))),
      view: new Set(registered.view),
      shortcut: new Set(registered.shortcut.filter((id) => !forViewers.includes(id))),
    };
    expect(writeSubs.map((s) => s.name)).toEqual(
      expect.arrayContaining(['cease', 'recording', 'esim-refresh']),
    );
    expect([...owned.action]).toEqual(
      expect.arrayContaining([ACTION_ACCOUNT_CEASE, ACTION_ACCOUNT_RECORDING]),
    );
    expect(owned.view.size).toBeGreaterThan(0);
    expect(owned.shortcut.size).toBeGreaterThan(0);

    // --- An admin first opens every form and asks for every confirmation, so the viewer can
    // replay real ones (with their private_metadata and confirmation ids).
    for (const sub of writeSubs)
      await runAndSettle(b, `${sub.name} ${exampleArgs(sub.usage)}`.trim(), USERS.admin);
    await runAndSettle(b, `recording 07700 900126 voice off sms on`, USERS.admin);
    for (const id of WRITE_ENTRY_BUTTONS.filter((a) => registered.action.includes(a))) {
      await b.driver.blockAction({ user: USERS.admin, actionId: id, value: buttonValue(id) });
    }
    await settle(b);
    const shownButtons = messageButtons(
      b.slack.calls,
      b.slack.responses.map((r) => r.body),
    ).filter((btn) => owned.action.has(btn.action_id) && btn.value !== undefined);

    // --- Now the viewer, on every path.
    const mark = {
      requests: b.sandbox.requests.length,
      calls: b.slack.calls.length,
      uploads: b.slack.uploads.length,
      watches: (await b.store.listWatches()).length,
    };
    const refusedPaths: string[] = [];
    const expectRefused = async (what: string, act: () => Promise<{ json?: unknown }>) => {
      const calls = b.slack.calls.length;
      const responses = b.slack.responses.length;
      const audited = await refusals(b);
      const res = await act();
      await waitFor(
        async () => {
          const said = [
            JSON.stringify(res.json ?? null),
            ...b.slack.calls.slice(calls).map((c) => JSON.stringify(c.args)),
            ...b.slack.responses.slice(responses).map((r) => JSON.stringify(r.body)),
          ];
          return (await refusals(b)) > audited && said.some((s) => REFUSAL.test(s) || s.includes('⛔'));
        },
        { what: `${what} to be refused to the viewer (audited and told)` },
      );
      refusedPaths.push(what);
    };

    for (const sub of writeSubs) {
      await expectRefused(`/onsim ${sub.name}`, () =>
        b.driver.command(`${sub.name} ${exampleArgs(sub.usage)}`.trim(), { user: USERS.viewer }),
      );
    }
    await expectRefused('/onsim ports watch', () => b.driver.command('ports watch', { user: USERS.viewer }));

    for (const id of WRITE_ENTRY_BUTTONS.filter((a) => registered.action.includes(a))) {
      await expectRefused(`button ${id}`, () =>
        b.driver.blockAction({ user: USERS.viewer, actionId: id, value: buttonValue(id) }),
      );
    }
    for (const btn of shownButtons) {
      await expectRefused(`button ${btn.action_id} as shown to the admin`, () =>
        b.driver.blockAction({ user: USERS.viewer, actionId: btn.action_id, value: btn.value }),
      );
    }
    for (const callbackId of owned.view) {
      const view = b.slack.currentView(callbackId);
      const submit = () =>
        b.driver.viewSubmission({
          user: USERS.viewer,
          view: {
            id: view?.id ?? 'VFORGED',
            callback_id: callbackId,
            private_metadata: String(view?.private_metadata ?? ''),
            values: {},
          },
        });
      if (view) await expectRefused(`submission of ${callbackId}`, submit);
      else await submit(); // never opened for the admin: at least it must write nothing
    }
    for (const id of owned.shortcut) {
      await expectRefused(`shortcut ${id}`, () => b.driver.shortcut(id, { user: USERS.viewer }));
    }
    // In-form actions (flavour switches, retries…) change no data, but must not write either.
    const tried = new Set([...WRITE_ENTRY_BUTTONS, ...shownButtons.map((s) => s.action_id)]);
    for (const id of [...owned.action].filter((a) => !tried.has(a))) {
      await b.driver.blockAction({ user: USERS.viewer, actionId: id, value: MPN });
    }
    await settle(b);

    const writes = b.sandbox.requests.slice(mark.requests).filter(isWrite);
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(b.slack.uploads.length).toBe(mark.uploads);
    const slackWrites = b.slack.calls
      .slice(mark.calls)
      .filter(
        (c) =>
          c.method === 'chat.delete' ||
          c.method === 'files.completeUploadExternal' ||
          (c.method === 'chat.postMessage' && c.args.channel !== USERS.viewer),
      );
    expect(slackWrites.map((c) => `${c.method} ${String(c.args.channel ?? '')}`)).toEqual([]);
    expect((await b.store.listWatches()).length).toBe(mark.watches);
    // The paths this bot has today, at least (more join as they are registered).
    expect(refusedPaths).toEqual(
      expect.arrayContaining([
        '/onsim cease',
        '/onsim recording',
        '/onsim esim-refresh',
        `button ${ACTION_ACCOUNT_CEASE}`,
        `button ${ACTION_ACCOUNT_RECORDING}`,
        `button ${ACTION_ESIM_REFRESH}`,
        'submission of cease_confirm',
        'submission of recording_off_confirm',
      ]),
    );
  });
});

describe('user-group roles', () => {
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await slack?.close();
    slack = undefined;
  });

  it('resolves group members through Slack once per cache period, and keeps the last known members when Slack fails', async () => {
    slack = await startFakeSlack();
    const logs: string[] = [];
    let clock = 1_000_000;
    const roles = createRoles({
      admins: ['S_ADMINS'],
      operators: ['S_OPS', USERS.operator],
      client: new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
      logger: createLogger({
        level: 'debug',
        destination: { write: (line: string) => void logs.push(line) },
      }),
      cacheMs: 60_000,
      now: () => clock,
    });
    const lookups = (group: string) =>
      slack?.callsTo('usergroups.users.list').filter((c) => c.args.usergroup === group).length;
    slack.setUsergroup('S_ADMINS', ['U_ALICE']);
    slack.setUsergroup('S_OPS', ['U_BOB']);

    expect(await roles.roleOf('U_ALICE')).toBe('admin');
    expect(await roles.roleOf('U_BOB')).toBe('operator');
    expect(await roles.roleOf('U_CAROL')).toBe('viewer');
    expect(await roles.roleOf(USERS.operator)).toBe('operator');
    expect(await roles.roleOf('U_ALICE')).toBe('admin');
    // Four role checks that needed S_ADMINS, one look-up.
    expect(lookups('S_ADMINS')).toBe(1);
    expect(lookups('S_OPS')).toBe(1);

    // Membership changes in Slack show once the cache period is over.
    slack.setUsergroup('S_OPS', ['U_CAROL']);
    clock += 30_000;
    expect(await roles.roleOf('U_CAROL')).toBe('viewer');
    clock += 30_000;
    expect(await roles.roleOf('U_CAROL')).toBe('operator');
    expect(await roles.roleOf('U_BOB')).toBe('viewer');
    expect(lookups('S_OPS')).toBe(2);

    // Slack failing later: the last known members keep their role (and it is logged).
    clock += 60_000;
    slack.failNext('usergroups.users.list', { error: 'ratelimited', times: 2 });
    expect(await roles.roleOf('U_ALICE')).toBe('admin');
    expect(await roles.roleOf('U_CAROL')).toBe('operator');
    expect(logs.some((l) => l.includes('could not resolve user group'))).toBe(true);

    expect(roles.holders('admin')).toEqual(['<!subteam^S_ADMINS>']);
    expect(roles.holders('operator')).toEqual([
      '<!subteam^S_OPS>',
      `<@${USERS.operator}>`,
      '<!subteam^S_ADMINS>',
    ]);
  });
  const rolesAt = (s: FakeSlack, clock: { now: number }, logs: string[] = []) =>
    createRoles({
      admins: ['S_ADMINS'],
      operators: [],
      client: new WebClient('xoxb-test', { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 } }),
      logger: createLogger({
        level: 'debug',
        destination: { write: (line: string) => void logs.push(line) },
      }),
      now: () => clock.now,
    });

  it('grants nothing once the last known members are older than 15 minutes and Slack still fails', async () => {
    slack = await startFakeSlack();
    const clock = { now: 1_000_000 };
    const roles = rolesAt(slack, clock);
    slack.setUsergroup('S_ADMINS', ['U_ALICE']);
    expect(await roles.roleOf('U_ALICE')).toBe('admin');

    slack.failNext('usergroups.users.list', { error: 'internal_error', times: 100 });
    clock.now += 14 * 60_000;
    expect(await roles.roleOf('U_ALICE')).toBe('admin');
    clock.now += 2 * 60_000;
    // Someone removed from the admin group meanwhile must not stay admin for ever.
    expect(await roles.roleOf('U_ALICE')).toBe('viewer');
  });

  it('does not ask a failing user-group API again on every request, and asks again after a while', async () => {
    slack = await startFakeSlack();
    const clock = { now: 1_000_000 };
    const roles = rolesAt(slack, clock);
    slack.failNext('usergroups.users.list', { error: 'internal_error', times: 100 });
    const asked = () => slack?.callsTo('usergroups.users.list').length;

    expect(await roles.roleOf('U_ALICE')).toBe('viewer');
    expect(asked()).toBe(1);
    for (let i = 0; i < 5; i++) expect(await roles.roleOf('U_ALICE')).toBe('viewer');
    expect(asked()).toBe(1);
    clock.now += 31_000;
    await roles.roleOf('U_ALICE');
    expect(asked()).toBe(2);
  });

  it('decides without waiting for a slow user-group API, and uses its answer once it lands', async () => {
    slack = await startFakeSlack();
    const clock = { now: 1_000_000 };
    const roles = rolesAt(slack, clock);
    slack.setUsergroup('S_ADMINS', ['U_ALICE']);
    slack.setLatency('usergroups.users.list', 2_500);

    // The first decision cannot wait 2.5 s: it grants nothing from the group (fail closed)…
    expect(await roles.roleOf('U_ALICE')).toBe('viewer');
    // …and the one look-up it started fills the cache for the next.
    await waitFor(async () => (await roles.roleOf('U_ALICE')) === 'admin', {
      what: 'the slow look-up to land',
      timeoutMs: 10_000,
    });
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
  });
});

// ---- helpers -------------------------------------------------------------------------------

/** Example arguments from a usage line: identifiers become a fixture MPN, options are left out. */
function exampleArgs(usage: string): string {
  return usage
    .replace(/^\S+\s*/, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/<[^>]*(mpn|iccid)[^>]*>/gi, MPN_TYPED)
    .replace(/<[^>]*>/g, 'UNLIMITED')
    .replace(/(\w+)\|\w+/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Reads (GETs, look-up POSTs, eSIM queries without refresh) are allowed to anyone. */
function isWrite(r: { method: string; path: string; body: unknown }): boolean {
  if (r.method === 'GET') return false;
  if (r.method === 'POST' && r.path === '/reseller/subscribers') return false;
  if (r.method === 'POST' && r.path === '/account/esim') {
    const refresh = z
      .object({ refresh_code: z.union([z.number(), z.string()]).optional() })
      .safeParse(r.body);
    return refresh.success && Number(refresh.data.refresh_code ?? 0) === 1;
  }
  return true;
}

async function refusals(bot: TestBot): Promise<number> {
  const entries = await bot.store.listAudit({ limit: 10_000 });
  return entries.filter((e) => e.userId === USERS.viewer && e.event === 'refused').length;
}

/** Lets handlers that answer after their ack finish (they answer within milliseconds here). */
async function settle(bot: TestBot): Promise<void> {
  let seen = -1;
  while (seen !== bot.slack.calls.length + bot.slack.responses.length + bot.sandbox.requests.length) {
    seen = bot.slack.calls.length + bot.slack.responses.length + bot.sandbox.requests.length;
    await sleep(150);
  }
}

async function runAndSettle(bot: TestBot, text: string, user: string): Promise<void> {
  await bot.driver.command(text, { user });
  await settle(bot);
}

const Button = z.object({ type: z.literal('button'), action_id: z.string(), value: z.string().optional() });
type Button = z.infer<typeof Button>;

/** Every button in the messages the bot sent (not in modals: those are its forms' own controls). */
function messageButtons(calls: RecordedCall[], responses: unknown[]): Button[] {
  const found: Button[] = [];
  const walk = (x: unknown): void => {
    const button = Button.safeParse(x);
    if (button.success) found.push(button.data);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  const messageMethods = [
    'chat.postMessage',
    'chat.postEphemeral',
    'chat.update',
    'files.completeUploadExternal',
  ];
  for (const c of calls) if (messageMethods.includes(c.method)) walk(c.args.blocks);
  for (const r of responses) walk(r);
  return found;
}

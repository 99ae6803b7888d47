import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLine } from '../../src/guard/audit.js';
import { SANDBOX_FIXTURES as F, type Sandbox, startSandbox } from '../../src/onsim/sandbox/server.js';
import { signRequest } from '../../src/slack-emulator/signed-requests.js';
import { ACTION_ACCOUNT_CEASE } from '../../src/views/action-ids.js';
import { CEASE_CALLBACK_ID, FIELD_CONFIRM_ICCID, FIELD_CONFIRM_MPN } from '../../src/views/cease.js';
import { textOf } from '../support/blocks.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS } from '../support/bot.js';
import { type FakeSlack, type StoredView, startFakeSlack } from '../support/fake-slack.js';
import { freshPostgresUrl, STORE_ENGINES } from '../support/postgres.js';
import { fieldValues } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'onsim-cease-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const SECOND_ADMIN = 'UADMIN2';
const RECORD = `🪦 SIM ${F.installedEsimIccid} (+44 7700 900123) ceased by <@${USERS.admin}>`;

const hasInput = (view: StoredView | undefined, blockId: string): boolean =>
  Array.isArray(view?.blocks) && view.blocks.some((b) => (b as { block_id?: string }).block_id === blockId);

describe.each(STORE_ENGINES)('cease (%s)', (_engine, databaseUrl) => {
  const bots: TestBot[] = [];
  afterEach(async () => {
    // Later bots may share the first one's sandbox and Slack: close them first.
    for (const b of bots.reverse()) await b.close();
    bots.length = 0;
  });

  async function start(opts: TestBotOptions = {}): Promise<TestBot> {
    const bot = await startTestBot({ databaseUrl: await databaseUrl(), ...opts });
    bots.push(bot);
    return bot;
  }

  /** `/onsim cease …` as the admin, and the confirmation form once it is filled in. */
  async function openForm(bot: TestBot, text = 'cease 07700 900123', user: string = USERS.admin) {
    await bot.driver.command(text, { user });
    return waitFor(
      () => {
        const view = bot.slack.currentView(CEASE_CALLBACK_ID);
        return view && (hasInput(view, FIELD_CONFIRM_MPN) || hasInput(view, FIELD_CONFIRM_ICCID))
          ? view
          : null;
      },
      { what: 'the cease form' },
    );
  }

  function submit(
    bot: TestBot,
    view: StoredView,
    values: Record<string, string>,
    user: string = USERS.admin,
  ) {
    return bot.driver.viewSubmission({
      user,
      view: { id: view.id, callback_id: CEASE_CALLBACK_ID, values: fieldValues(values) },
    });
  }

  /** The modal's final text, once it no longer says it is working. */
  function outcome(bot: TestBot, viewId: string): Promise<string> {
    return waitFor(
      () => {
        const view = bot.slack.currentView(viewId);
        const text = textOf(view?.blocks);
        return view?.callback_id !== CEASE_CALLBACK_ID && !text.includes('⏳') ? text : null;
      },
      { what: 'the cease outcome in the modal' },
    );
  }

  const ceases = (bot: TestBot) => bot.sandbox.requestsTo('DELETE', '/account');

  it('shows what will be ceased, with ONSIM’s warning first, and asks for the MPN', async () => {
    const bot = await start();
    const view = await openForm(bot);

    const text = textOf(view.blocks);
    expect(text.indexOf('cannot be undone')).toBeLessThan(text.indexOf('You are about to cease'));
    expect(text).toMatch(/for good/);
    expect(text).toContain('+44 7700 900123');
    expect(text).toContain(F.installedEsimIccid);
    expect(text).toContain('Olivia Bennett');
    expect(text).toContain('10GB');
    expect(view.title).toMatchObject({ text: 'Cease SIM' });
    expect(view.submit).toMatchObject({ text: 'Cease SIM' });
    // The form holds only the confirmation id; what to cease lives in the store.
    const meta = JSON.parse(String(view.private_metadata));
    expect(Object.keys(meta)).toEqual(['confirmation']);
    const stored = await bot.store.getConfirmation(meta.confirmation);
    expect(stored).toMatchObject({
      operation: 'cease',
      userId: USERS.admin,
      status: 'pending',
      payload: { iccid: F.installedEsimIccid, mpn: F.installedEsimMpn },
    });
    // The loading view came first, so the trigger was used at once.
    expect(bot.slack.callsTo('views.open')).toHaveLength(1);
    expect(ceases(bot)).toHaveLength(0);
  });

  it('ceases the SIM when the MPN is typed, shows the outcome in the form and records it in the channel', async () => {
    const bot = await start();
    const view = await openForm(bot);

    const res = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '+44 7700 900 123' });
    expect(res.json).toMatchObject({ response_action: 'update' });

    const text = await outcome(bot, view.id);
    expect(text).toContain('is ceased');
    expect(ceases(bot)).toHaveLength(1);
    expect(ceases(bot)[0]?.body).toEqual({ iccid: F.installedEsimIccid });
    const record = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postMessage'), {
      what: 'the channel record',
    });
    expect(record.channel).toBe('C123');
    expect(textOf(record.blocks)).toContain(RECORD);
    const events = (await bot.store.listAudit({ target: F.installedEsimMpn, limit: 10 })).map((e) => e.event);
    expect(events).toEqual(['succeeded', 'confirmed', 'requested']);
  });

  it('answers a wrong MPN with an error on the field and ceases nothing', async () => {
    const bot = await start();
    const view = await openForm(bot);

    const wrong = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900124' });
    expect(wrong.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD_CONFIRM_MPN]: expect.stringContaining('not the MPN of this SIM') },
    });
    const empty = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '' });
    expect(empty.json).toMatchObject({ response_action: 'errors' });
    expect(ceases(bot)).toHaveLength(0);
    const meta = JSON.parse(String(view.private_metadata));
    expect(await bot.store.getConfirmation(meta.confirmation)).toMatchObject({ status: 'pending' });
  });

  it('needs an admin: an operator is refused, told who can help, and the refusal is audited', async () => {
    const bot = await start();
    const sent = await bot.driver.command('cease 07700 900123', { user: USERS.operator });
    const reply = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the refusal' });

    expect(String(reply.body.text)).toMatch(/needs the \*?admin\*? role/);
    expect(textOf(reply.body.blocks)).toContain(`<@${USERS.admin}>`);
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ userId: USERS.operator, operation: 'cease', event: 'refused' });
  });

  it('checks the role again on submission: an admin who lost the role cannot confirm', async () => {
    const bot = await start();
    const view = await openForm(bot);
    // The same confirmation, submitted by someone who is no admin (a forged or stale form).
    const res = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' }, USERS.operator);

    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(textOf(res.json)).toContain('needs the *admin* role');
    expect(ceases(bot)).toHaveLength(0);
  });

  it('runs once when the form is submitted twice at the same moment', async () => {
    const bot = await start();
    const view = await openForm(bot);

    const answers = await Promise.all([
      submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' }),
      submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' }),
    ]);
    await outcome(bot, view.id);

    expect(ceases(bot)).toHaveLength(1);
    const said = answers.map((a) => textOf(a.json));
    expect(said.filter((t) => t.includes('Ceasing'))).toHaveLength(1);
    expect(said.filter((t) => /already|only once/.test(t))).toHaveLength(1);
  });

  it('refuses another admin’s submission of someone else’s form', async () => {
    const bot = await start({ env: { ADMINS: `${USERS.admin},${SECOND_ADMIN}` } });
    const view = await openForm(bot);

    const res = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' }, SECOND_ADMIN);
    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD_CONFIRM_MPN]: expect.stringContaining('only they can confirm') },
    });
    expect(ceases(bot)).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ userId: SECOND_ADMIN, event: 'refused' });
  });

  it('expires after 10 minutes', async () => {
    let skew = 0;
    const bot = await start({ now: () => Date.now() + skew });
    const view = await openForm(bot);
    skew = 11 * 60_000;

    const res = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' });
    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(textOf(res.json)).toContain('expired');
    expect(ceases(bot)).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ event: 'expired', operation: 'cease' });
  });

  it('shows an outcome unknown as unknown, never as success, when ONSIM answers 503', async () => {
    const bot = await start();
    const view = await openForm(bot);
    bot.sandbox.setFault({ status: 503, match: { method: 'DELETE', pathPrefix: '/account' } });

    await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' });
    const text = await outcome(bot, view.id);

    expect(text).toContain('Outcome unknown');
    expect(text).toContain('Check before retrying');
    expect(text).not.toContain('is ceased');
    const record = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postMessage'), {
      what: 'the channel record',
    });
    expect(textOf(record.blocks)).toContain('outcome unknown');
    expect(textOf(record.blocks)).not.toContain('ceased by');
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ event: 'outcome_unknown', operation: 'cease' });
    const meta = JSON.parse(String(view.private_metadata));
    expect(await bot.store.getConfirmation(meta.confirmation)).toMatchObject({
      status: 'done',
      result: 'outcome_unknown',
    });
  });

  it('finds the MPN of an ICCID in the subscriber list and asks for it', async () => {
    const bot = await start();
    const view = await openForm(bot, `cease ${F.readyEsimIccid}`);

    expect(hasInput(view, FIELD_CONFIRM_MPN)).toBe(true);
    expect(textOf(view.blocks)).toContain('+44 7700 900124');
    await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900124' });
    await outcome(bot, view.id);
    expect(ceases(bot).map((r) => r.body)).toEqual([{ iccid: F.readyEsimIccid }]);
  });

  it('asks for the last 6 digits of an ICCID whose MPN cannot be found', async () => {
    const bot = await start();
    const view = await openForm(bot, `cease ${F.reservedEsimIccid}`);

    expect(hasInput(view, FIELD_CONFIRM_ICCID)).toBe(true);
    expect(hasInput(view, FIELD_CONFIRM_MPN)).toBe(false);
    const wrong = await submit(bot, view, { [FIELD_CONFIRM_ICCID]: '123456' });
    expect(wrong.json).toMatchObject({
      response_action: 'errors',
      errors: { [FIELD_CONFIRM_ICCID]: expect.any(String) },
    });
    expect(ceases(bot)).toHaveLength(0);

    await submit(bot, view, { [FIELD_CONFIRM_ICCID]: F.reservedEsimIccid.slice(-6) });
    const text = await outcome(bot, view.id);
    // A reserved SIM is not active: ONSIM refuses, and the form says it was not ceased.
    expect(ceases(bot)).toHaveLength(1);
    expect(text).toContain('not ceased');
  });

  it('opens the same form from the account card’s Cease button', async () => {
    const bot = await start();
    await bot.driver.blockAction({
      user: USERS.admin,
      actionId: ACTION_ACCOUNT_CEASE,
      value: F.installedEsimMpn,
    });
    const view = await waitFor(
      () => {
        const v = bot.slack.currentView(CEASE_CALLBACK_ID);
        return v && hasInput(v, FIELD_CONFIRM_MPN) ? v : null;
      },
      { what: 'the cease form' },
    );
    expect(textOf(view.blocks)).toContain(F.installedEsimIccid);
  });

  it('cancels the confirmation when the form is closed', async () => {
    const bot = await start();
    const view = await openForm(bot);
    const payload = {
      type: 'view_closed',
      team: { id: 'T1', domain: 'test' },
      user: { id: USERS.admin, name: 'admin', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'verification-token',
      is_cleared: false,
      view: { ...view, state: { values: {} } },
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await bot.driver.raw(body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signRequest('test-signing-secret', body),
    });
    expect(res.status).toBe(200);

    const meta = JSON.parse(String(view.private_metadata));
    await waitFor(async () => (await bot.store.getConfirmation(meta.confirmation))?.status === 'cancelled', {
      what: 'the confirmation to be cancelled',
    });
    const late = await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' });
    expect(textOf(late.json)).toContain('cancelled');
    expect(ceases(bot)).toHaveLength(0);
  });

  it('mirrors every audit entry of a cease to AUDIT_CHANNEL as it happens', async () => {
    const bot = await start({ env: { AUDIT_CHANNEL: 'CAUDIT' } });
    await bot.driver.command('cease 07700 900123', { user: USERS.operator });
    const view = await openForm(bot);
    await submit(bot, view, { [FIELD_CONFIRM_MPN]: '07700 900123' });
    await outcome(bot, view.id);

    const trail = (await bot.store.listAudit({ limit: 10 })).reverse();
    expect(trail.map((e) => e.event)).toEqual(['refused', 'requested', 'confirmed', 'succeeded']);
    const mirrored = await waitFor(
      () => {
        const posted = bot.slack.messages().filter((m) => m.channel === 'CAUDIT');
        return posted.length >= trail.length ? posted : null;
      },
      { what: 'the audit entries in AUDIT_CHANNEL' },
    );
    expect(mirrored.map((m) => m.text)).toEqual(trail.map(auditLine));
    // The channel record goes to the channel the cease was asked in, not to the audit channel.
    const record = await waitFor(
      () => bot.slack.messages().find((m) => m.channel === 'C123' && m.via === 'postMessage'),
      { what: 'the channel record' },
    );
    expect(textOf(record.blocks)).toContain(RECORD);
    expect(bot.slack.messages().filter((m) => m.channel === 'CAUDIT')).toHaveLength(trail.length);
  });

  describe('after a restart (a new instance on the same database)', () => {
    let slack: FakeSlack;
    let sandbox: Sandbox;
    const running: TestBot[] = [];
    afterEach(async () => {
      for (const b of running.splice(0)) await b.close();
      await sandbox.close();
      await slack.close();
    });

    /** Starts instances of the bot one after another on one database, Slack and ONSIM. */
    async function instances(): Promise<() => Promise<TestBot>> {
      slack = await startFakeSlack();
      sandbox = await startSandbox({ port: 0, portAdvanceMs: null, esimInstallAfterMs: 0 });
      const url = (await databaseUrl()) ?? `sqlite:${join(tmp, `${randomUUID()}.db`)}`;
      return async () => {
        const bot = await startTestBot({ databaseUrl: url, sharedSlack: slack, sharedSandbox: sandbox });
        running.push(bot);
        return bot;
      };
    }

    async function stop(bot: TestBot): Promise<void> {
      running.splice(running.indexOf(bot), 1);
      await bot.drain(5_000);
      await bot.close();
    }

    /** Submits the form as Slack does: with the private_metadata of the view the admin saw. */
    const submitSeen = (bot: TestBot, view: StoredView, typed: string) =>
      bot.driver.viewSubmission({
        user: USERS.admin,
        view: {
          id: view.id,
          callback_id: CEASE_CALLBACK_ID,
          private_metadata: String(view.private_metadata),
          values: fieldValues({ [FIELD_CONFIRM_MPN]: typed }),
        },
      });
    const deletes = () => sandbox.requestsTo('DELETE', '/account');

    it('runs a form opened before the restart once, and says it was used when submitted again', async () => {
      const boot = await instances();
      const before = await boot();
      const view = await openForm(before);
      await stop(before);

      const after = await boot();
      const res = await submitSeen(after, view, '07700 900123');
      expect(textOf(res.json)).toContain('Ceasing');
      expect(await outcome(after, view.id)).toContain('is ceased');

      const again = await submitSeen(after, view, '07700 900123');
      expect(textOf(again.json)).toContain('already used (outcome: succeeded)');
      expect(deletes()).toHaveLength(1);
    });

    it('says a form confirmed before the restart was used, and does not run it again', async () => {
      const boot = await instances();
      const before = await boot();
      const view = await openForm(before);
      await submitSeen(before, view, '07700 900123');
      await outcome(before, view.id);
      await stop(before);

      const after = await boot();
      const again = await submitSeen(after, view, '07700 900123');
      expect(again.json).toMatchObject({ response_action: 'update' });
      expect(textOf(again.json)).toContain('already used (outcome: succeeded)');
      expect(deletes()).toHaveLength(1);
    });

    it('never runs a confirmation claimed by an instance that stopped before it finished', async () => {
      const boot = await instances();
      const before = await boot();
      const view = await openForm(before);
      const id = JSON.parse(String(view.private_metadata)).confirmation;
      // The first instance claimed it, then died before calling ONSIM or recording an outcome.
      expect((await before.store.claimConfirmation(id, USERS.admin, Date.now())).kind).toBe('claimed');
      await stop(before);

      const after = await boot();
      const again = await submitSeen(after, view, '07700 900123');
      expect(textOf(again.json)).toContain('already confirmed');
      expect(textOf(again.json)).toContain('runs only once');
      expect(deletes()).toHaveLength(0);
      expect(await after.store.getConfirmation(id)).toMatchObject({ status: 'claimed' });
    });
  });
});

describe('cease when ONSIM is slow', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('answers in the form only, with no “working” note left behind in the channel', async () => {
    bot = await startTestBot({ onsimTimeoutMs: 10_000 });
    // Longer than the router waits before it says it is still working.
    bot.sandbox.setLatency(2_000);
    const sent = await bot.driver.command('cease 07700 900123', { user: USERS.admin });
    await waitFor(
      () => {
        const view = bot.slack.currentView(CEASE_CALLBACK_ID);
        return view && hasInput(view, FIELD_CONFIRM_MPN) ? view : null;
      },
      { what: 'the cease form', timeoutMs: 10_000 },
    );
    expect(bot.slack.responsesTo(sent.responseUrl)).toEqual([]);
  });
});

describe('cease with two app instances on one PostgreSQL', () => {
  const bots: TestBot[] = [];
  afterEach(async () => {
    for (const b of bots.reverse()) await b.close();
    bots.length = 0;
  });

  it('runs once when both instances receive the same submission', async () => {
    const databaseUrl = await freshPostgresUrl();
    const first = await startTestBot({ databaseUrl });
    bots.push(first);
    const second = await startTestBot({
      databaseUrl,
      sharedSandbox: first.sandbox,
      sharedSlack: first.slack,
    });
    bots.push(second);

    await first.driver.command('cease 07700 900123', { user: USERS.admin });
    const view = await waitFor(
      () => {
        const v = first.slack.currentView(CEASE_CALLBACK_ID);
        return v && hasInput(v, FIELD_CONFIRM_MPN) ? v : null;
      },
      { what: 'the cease form' },
    );
    const values = fieldValues({ [FIELD_CONFIRM_MPN]: '07700 900123' });
    const answers = await Promise.all(
      [first, second].map((b) =>
        b.driver.viewSubmission({
          user: USERS.admin,
          view: { id: view.id, callback_id: CEASE_CALLBACK_ID, values },
        }),
      ),
    );
    await waitFor(() => first.slack.messages().some((m) => m.via === 'postMessage'), { what: 'the record' });

    expect(first.sandbox.requestsTo('DELETE', '/account')).toHaveLength(1);
    expect(answers.map((a) => textOf(a.json)).filter((t) => t.includes('Ceasing'))).toHaveLength(1);
    expect(first.slack.messages().filter((m) => m.via === 'postMessage')).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestConfirmation } from '../../src/guard/confirmations.js';
import { SANDBOX_FIXTURES as F, type Sandbox, startSandbox } from '../../src/onsim/sandbox/server.js';
import { ACTION_ESIM_REFRESH, ACTION_ESIM_SHOW_CODE } from '../../src/views/action-ids.js';
import { ACTION_ESIM_REFRESH_CANCEL, ACTION_ESIM_REFRESH_CONFIRM } from '../../src/views/esim-refresh.js';
import { buttonsIn } from '../support/blocks.js';
import { startTestBot, type TestBot, type TestBotOptions, USERS } from '../support/bot.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'onsim-esim-refresh-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const shown = (body: RecordedResponse['body']): string =>
  `${String(body.text)}\n${JSON.stringify(body.blocks ?? [])}`;

describe.each(STORE_ENGINES)('eSIM code refresh (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });
  /** A database two app instances can share: a SQLite file or a PostgreSQL database. */
  async function sharedDatabaseUrl(): Promise<string> {
    return (await databaseUrl()) ?? `sqlite:${join(tmp, `${randomUUID()}.db`)}`;
  }

  async function start(opts: TestBotOptions = {}): Promise<TestBot> {
    bot = await startTestBot({ databaseUrl: opts.databaseUrl ?? (await databaseUrl()), ...opts });
    return bot;
  }

  const refreshes = () =>
    bot.sandbox.requestsTo('POST', '/account/esim').filter((r) => {
      const body = r.body as { refresh_code?: unknown };
      return body.refresh_code === 1 || body.refresh_code === '1';
    });

  /** Clicks "Refresh code" on an eSIM card and returns the confirmation message and its confirmation id. */
  async function ask(mpn: string = F.readyEsimMpn, user: string = USERS.operator) {
    const click = await bot.driver.blockAction({ user, actionId: ACTION_ESIM_REFRESH, value: `mpn:${mpn}` });
    const prompt = await waitFor(() => bot.slack.responsesTo(click.responseUrl ?? '')[0], {
      what: 'the confirmation message',
    });
    const confirm = buttonsIn(prompt.body).find((b) => b.action_id === ACTION_ESIM_REFRESH_CONFIRM);
    return { prompt, id: confirm?.value ?? '', confirm };
  }

  async function click(actionId: string, id: string, user: string = USERS.operator) {
    const sent = await bot.driver.blockAction({ user, actionId, value: id });
    return waitFor(() => bot.slack.responsesTo(sent.responseUrl ?? '')[0], {
      what: `the answer to ${actionId}`,
    });
  }

  it('asks first, explaining that the old code stops working, with a danger button and Cancel', async () => {
    await start();
    const { prompt, confirm } = await ask();

    expect(shown(prompt.body)).toContain('old one stops working at once');
    expect(confirm).toMatchObject({ style: 'danger' });
    expect(buttonsIn(prompt.body).map((b) => b.action_id)).toContain(ACTION_ESIM_REFRESH_CANCEL);
    expect(shown(prompt.body)).toContain(`Requested by <@${USERS.operator}>`);
    expect(prompt.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(refreshes()).toHaveLength(0);
  });

  it('refreshes once confirmed, replaces the confirmation and never shows the new code in the channel', async () => {
    await start();
    const { id } = await ask();
    const answer = await click(ACTION_ESIM_REFRESH_CONFIRM, id);

    expect(answer.body).toMatchObject({ replace_original: true });
    expect(shown(answer.body)).toContain('New activation code issued');
    expect(buttonsIn(answer.body)).toContainEqual(
      expect.objectContaining({ action_id: ACTION_ESIM_SHOW_CODE, value: `mpn:${F.readyEsimMpn}` }),
    );
    expect(refreshes().map((r) => r.body)).toEqual([{ mpn: F.readyEsimMpn, refresh_code: 1 }]);

    const record = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postMessage'), {
      what: 'the channel record',
    });
    expect(record.text).toContain(`refreshed by <@${USERS.operator}>`);
    const newCode = bot.sandbox.state.sims.get(F.readyEsimIccid)?.esim?.code ?? 'missing';
    expect(newCode).toMatch(/^LPA:1/);
    for (const m of bot.slack.messages()) expect(JSON.stringify(m)).not.toContain(newCode);
    for (const line of bot.logs) expect(line).not.toContain(newCode);
  });

  it('says plainly that an installed eSIM’s code cannot be refreshed', async () => {
    await start();
    const { id } = await ask(F.installedEsimMpn);
    const answer = await click(ACTION_ESIM_REFRESH_CONFIRM, id);

    expect(shown(answer.body)).toContain('already installed: the code cannot be refreshed');
    expect(bot.slack.messages().filter((m) => m.via === 'postMessage')).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ target: F.installedEsimMpn, limit: 1 });
    expect(entry).toMatchObject({ operation: 'eSIM code refresh', event: 'failed' });
  });

  it('tells anyone else who clicks that the confirmation is not theirs, and does nothing', async () => {
    await start();
    const { id } = await ask();
    const other = await click(ACTION_ESIM_REFRESH_CONFIRM, id, USERS.otherOperator);

    expect(shown(other.body)).toContain(`belongs to <@${USERS.operator}>`);
    expect(other.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(refreshes()).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ userId: USERS.otherOperator, event: 'refused' });

    // Still the requester's to confirm.
    await click(ACTION_ESIM_REFRESH_CONFIRM, id);
    expect(refreshes()).toHaveLength(1);
  });

  it('checks the role again at confirmation: a requester who lost the operator role is refused', async () => {
    const shared = await sharedDatabaseUrl();
    await start({ databaseUrl: shared });
    const { id } = await ask();
    // The same database, after a redeploy that took UOPER out of OPERATORS.
    const demoted = await startTestBot({
      databaseUrl: shared,
      sharedSandbox: bot.sandbox,
      sharedSlack: bot.slack,
      env: { OPERATORS: USERS.otherOperator },
    });
    try {
      const sent = await demoted.driver.blockAction({
        user: USERS.operator,
        actionId: ACTION_ESIM_REFRESH_CONFIRM,
        value: id,
      });
      const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl ?? '')[0], {
        what: 'the refusal',
      });
      expect(shown(answer.body)).toContain('needs the *operator* role');
      expect(refreshes()).toHaveLength(0);
      expect(await bot.store.getConfirmation(id)).toMatchObject({ status: 'pending' });
    } finally {
      await demoted.close();
    }
  });

  it('does not run a confirmation of another operation through its button', async () => {
    await start({ env: { OPERATORS: USERS.admin } });
    // An admin's own "recording off" confirmation, clicked through the eSIM refresh button.
    const c = await requestConfirmation(bot.deps, bot.app.client, {
      operation: 'recording off',
      userId: USERS.admin,
      channelId: 'C123',
      target: F.recordedMpn,
      payload: { mpn: F.recordedMpn, voice_recording: 'OFF', sms_recording: 'OFF' },
    });
    const answer = await click(ACTION_ESIM_REFRESH_CONFIRM, c.id, USERS.admin);

    expect(shown(answer.body)).toContain('not for that confirmation');
    expect(await bot.store.getConfirmation(c.id)).toMatchObject({ status: 'pending' });
    expect(refreshes()).toHaveLength(0);
    expect(bot.sandbox.requestsTo('POST', `/account/${F.recordedMpn}/recording`)).toHaveLength(0);
    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ userId: USERS.admin, operation: 'recording off', event: 'refused' });
  });

  it('runs once on a double click', async () => {
    await start();
    const { id } = await ask();
    const answers = await Promise.all([
      click(ACTION_ESIM_REFRESH_CONFIRM, id),
      click(ACTION_ESIM_REFRESH_CONFIRM, id),
    ]);

    expect(refreshes()).toHaveLength(1);
    const texts = answers.map((a) => shown(a.body));
    expect(texts.filter((t) => t.includes('New activation code issued'))).toHaveLength(1);
    expect(texts.filter((t) => /runs only once/.test(t))).toHaveLength(1);
  });

  it('expires after 10 minutes and says so', async () => {
    let skew = 0;
    await start({ now: () => Date.now() + skew });
    const { id } = await ask();
    skew = 11 * 60_000;
    const answer = await click(ACTION_ESIM_REFRESH_CONFIRM, id);

    expect(shown(answer.body)).toContain('expired');
    expect(answer.body).toMatchObject({ replace_original: true });
    expect(refreshes()).toHaveLength(0);
  });

  it('cancels on Cancel, and a later confirm says it was cancelled', async () => {
    await start();
    const { id } = await ask();
    const cancelled = await click(ACTION_ESIM_REFRESH_CANCEL, id);
    expect(shown(cancelled.body)).toContain('Cancelled. Nothing was done.');
    expect(cancelled.body).toMatchObject({ replace_original: true });

    const late = await click(ACTION_ESIM_REFRESH_CONFIRM, id);
    expect(shown(late.body)).toContain('cancelled');
    expect(refreshes()).toHaveLength(0);
    const events = (await bot.store.listAudit({ target: F.readyEsimMpn, limit: 5 })).map((e) => e.event);
    expect(events).toEqual(['cancelled', 'requested']);
  });

  it('asks for the same confirmation from `/onsim esim-refresh <iccid>`', async () => {
    await start();
    const sent = await bot.driver.command(`esim-refresh ${F.readyEsimIccid}`, { user: USERS.operator });
    const prompt = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], {
      what: 'the confirmation',
    });
    const id = buttonsIn(prompt.body).find((b) => b.action_id === ACTION_ESIM_REFRESH_CONFIRM)?.value ?? '';

    await click(ACTION_ESIM_REFRESH_CONFIRM, id);
    expect(refreshes().map((r) => r.body)).toEqual([{ iccid: F.readyEsimIccid, refresh_code: 1 }]);
  });
});

describe.each(STORE_ENGINES)('eSIM code refresh after a restart (%s)', (_engine, databaseUrl) => {
  let slack: FakeSlack;
  let sandbox: Sandbox;
  const running: TestBot[] = [];
  afterEach(async () => {
    for (const b of running.splice(0)) await b.close();
    await sandbox.close();
    await slack.close();
  });

  it('runs a confirmation asked for before the restart once, and never one claimed before it', async () => {
    slack = await startFakeSlack();
    sandbox = await startSandbox({ port: 0, portAdvanceMs: null, esimInstallAfterMs: 0 });
    const url = (await databaseUrl()) ?? `sqlite:${join(tmp, `${randomUUID()}.db`)}`;
    const boot = async () => {
      const bot = await startTestBot({ databaseUrl: url, sharedSlack: slack, sharedSandbox: sandbox });
      running.push(bot);
      return bot;
    };
    const clickOn = async (bot: TestBot, actionId: string, value: string) => {
      const sent = await bot.driver.blockAction({ user: USERS.operator, actionId, value });
      return waitFor(() => slack.responsesTo(sent.responseUrl ?? '')[0], {
        what: `the answer to ${actionId}`,
      });
    };
    const confirmationOf = (body: RecordedResponse['body']) =>
      buttonsIn(body).find((b) => b.action_id === ACTION_ESIM_REFRESH_CONFIRM)?.value ?? '';

    const before = await boot();
    const pending = confirmationOf(
      (await clickOn(before, ACTION_ESIM_REFRESH, `mpn:${F.readyEsimMpn}`)).body,
    );
    const claimed = confirmationOf(
      (await clickOn(before, ACTION_ESIM_REFRESH, `mpn:${F.readyEsimMpn}`)).body,
    );
    // The first instance claimed this one, then stopped before calling ONSIM.
    expect((await before.store.claimConfirmation(claimed, USERS.operator, Date.now())).kind).toBe('claimed');
    running.splice(running.indexOf(before), 1);
    await before.drain(5_000);
    await before.close();

    const after = await boot();
    const first = await clickOn(after, ACTION_ESIM_REFRESH_CONFIRM, pending);
    expect(shown(first.body)).toContain('New activation code issued');
    const again = await clickOn(after, ACTION_ESIM_REFRESH_CONFIRM, pending);
    expect(shown(again.body)).toContain('already used (outcome: succeeded)');
    const orphan = await clickOn(after, ACTION_ESIM_REFRESH_CONFIRM, claimed);
    expect(shown(orphan.body)).toContain('already confirmed');
    expect(orphan.body).toMatchObject({ replace_original: false });

    const refreshed = sandbox.requestsTo('POST', '/account/esim').filter((r) => {
      const body = r.body as { refresh_code?: unknown };
      return body.refresh_code === 1 || body.refresh_code === '1';
    });
    expect(refreshed).toHaveLength(1);
  });
});

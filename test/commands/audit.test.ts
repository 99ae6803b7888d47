import { afterEach, describe, expect, it } from 'vitest';
import { auditLine } from '../../src/guard/audit.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import type { NewAuditEntry } from '../../src/store/types.js';
import { ACTION_PAGE } from '../../src/views/rerun.js';
import { auditEntry } from '../support/audit.js';
import { buttonsIn } from '../support/blocks.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const entry = (i: number, overrides: Partial<NewAuditEntry> = {}): NewAuditEntry =>
  // Long details: the pages must still fit Slack's limits (checked when the bot closes).
  auditEntry({ at: T0 + i * 60_000, detail: `entry ${i} ${'x'.repeat(280)}`, ...overrides });

const shown = (body: RecordedResponse['body']) => JSON.stringify(body.blocks ?? []);

describe.each(STORE_ENGINES)('/onsim audit (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  async function ask(text: string, user: string = USERS.admin) {
    const sent = await bot.driver.command(text, { user });
    return waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: `the answer to ${text}` });
  }

  it('shows an admin the latest 20 entries, newest first, one auditLine each', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    for (let i = 0; i < 30; i++) await bot.store.appendAudit(entry(i));

    const answer = await ask('audit');
    const text = shown(answer.body);
    const newest = (await bot.store.listAudit({ limit: 1 }))[0];
    if (!newest) throw new Error('no entries');
    expect(text).toContain(JSON.stringify(auditLine(newest)).slice(1, 60));
    expect(text).toContain('entry 29');
    expect(text).toContain('entry 10');
    expect(text).not.toContain('entry 9 ');
    expect(text.indexOf('entry 29')).toBeLessThan(text.indexOf('entry 28'));
    expect(answer.body.response_type).toBe('ephemeral');
  });

  it('filters by MPN and takes how many to show', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    for (let i = 0; i < 8; i++) await bot.store.appendAudit(entry(i));
    await bot.store.appendAudit(
      entry(100, { target: F.installedEsimMpn, operation: 'cease', event: 'refused' }),
    );

    const answer = await ask('audit 07700 900125 3');
    const text = shown(answer.body);
    expect(text).toContain('entry 7');
    expect(text).toContain('entry 5');
    expect(text).not.toContain('entry 4 ');
    expect(text).not.toContain('entry 100');
    expect(text).toContain('+44 7700 900125');
  });

  it('shows at most 100, in pages that fit Slack’s limits, with a button to older entries', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    for (let i = 0; i < 120; i++) await bot.store.appendAudit(entry(i));

    const first = await ask('audit 500');
    expect(shown(first.body)).toContain('100 is the most shown');
    expect(shown(first.body)).toContain('entries 1–20 of the latest 100');
    const older = buttonsIn(first.body).find((b) => b.text?.text.includes('Older'));
    expect(older?.action_id).toBe(ACTION_PAGE);

    const sent = await bot.driver.blockAction({
      user: USERS.admin,
      actionId: ACTION_PAGE,
      value: older?.value,
    });
    const second = await waitFor(() => bot.slack.responsesTo(sent.responseUrl ?? '')[0], { what: 'page 2' });
    expect(second.body.replace_original).toBe(true);
    expect(shown(second.body)).toContain('entries 21–40 of the latest 100');
    expect(shown(second.body)).toContain('entry 99 ');
    expect(bot.blockKitProblems()).toEqual([]);
  });

  it('reads an MPN typed in groups of three as the MPN, not as how many', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    for (let i = 0; i < 3; i++) await bot.store.appendAudit(entry(i));

    const text = shown((await ask('audit 07700 900 125')).body);
    expect(text).toContain('+44 7700 900125');
    expect(text).toContain('entries 1–3 of the latest 3');
    expect(text).toContain('entry 0 ');
  });

  it('refuses a non-admin who clicks an admin’s page button', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    for (let i = 0; i < 30; i++) await bot.store.appendAudit(entry(i));
    const older = buttonsIn((await ask('audit 30')).body).find((b) => b.text?.text.includes('Older'));

    const sent = await bot.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_PAGE,
      value: older?.value,
    });
    const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl ?? '')[0], {
      what: 'the refusal',
    });
    expect(shown(answer.body)).toContain('needs the *admin* role');
    expect(shown(answer.body)).not.toContain('entry 9 ');
  });

  it('is for admins only', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    await bot.store.appendAudit(entry(1));

    const answer = await ask('audit', USERS.operator);
    expect(shown(answer.body)).toContain('needs the *admin* role');
    expect(shown(answer.body)).not.toContain('entry 1');
  });

  it('says when there is nothing to show', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    const answer = await ask(`audit ${F.unknownMpn}`);
    expect(shown(answer.body)).toContain('No audit entries for +44 7700 900999 yet');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { settleAbandonedClaims } from '../../src/guard/abandoned-claims.js';
import { auditLine } from '../../src/guard/audit.js';
import { perform } from '../../src/guard/perform.js';
import { OnsimInputError, OnsimOutcomeUnknownError } from '../../src/onsim/errors.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

const CTX = {
  userId: USERS.operator,
  channelId: 'C123',
  operation: 'change bundle',
  target: '447700900125',
  detail: 'to UNLIMITED',
};

describe.each(STORE_ENGINES)('perform and the audit trail (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('audits a write that succeeded with its detail, and returns its value', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    const outcome = await perform(bot.deps, bot.app.client, CTX, async () => 'Bundle Successfully Updated');

    expect(outcome).toEqual({ kind: 'succeeded', value: 'Bundle Successfully Updated' });
    expect(await bot.store.listAudit({ limit: 5 })).toEqual([
      expect.objectContaining({ ...CTX, event: 'succeeded', detail: 'to UNLIMITED' }),
      expect.objectContaining({ ...CTX, event: 'started', detail: 'to UNLIMITED' }),
    ]);
  });

  it('never throws for an ONSIM failure, and tells an unknown outcome apart from a failure', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    const unknown = await perform(bot.deps, bot.app.client, CTX, async () => {
      throw new OnsimOutcomeUnknownError('bundle change', 'the connection dropped');
    });
    const failed = await perform(bot.deps, bot.app.client, CTX, async () => {
      throw new OnsimInputError('bundle change', [{ field: 'bundle', message: 'Unknown bundle.' }]);
    });

    expect(unknown.kind).toBe('outcome_unknown');
    expect(failed.kind).toBe('failed');
    const [second, , first] = await bot.store.listAudit({ limit: 5 });
    expect(first).toMatchObject({
      event: 'outcome_unknown',
      detail: expect.stringContaining('the connection dropped'),
    });
    expect(second).toMatchObject({ event: 'failed', detail: expect.stringContaining('Unknown bundle.') });
  });

  it('masks a secret quoted by an error message before it reaches the audit trail', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl(), env: { AUDIT_CHANNEL: 'CAUDIT' } });
    const code = 'LPA:1$smdp.example.com$K2-SECRET-MATCHING-ID';
    await perform(bot.deps, bot.app.client, CTX, async () => {
      throw new OnsimInputError('bundle change', [{ field: 'esim_code', message: `${code} is not valid` }]);
    });

    const [entry] = await bot.store.listAudit({ limit: 1 });
    expect(entry?.detail).toContain('esim_code: LPA:1$smdp…');
    expect(entry?.detail).not.toContain('K2-SECRET');
    const mirrored = bot.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'CAUDIT');
    expect(String(mirrored?.args.text)).not.toContain('K2-SECRET');
    for (const line of bot.logs) expect(line).not.toContain('K2-SECRET');
  });

  it('mirrors each entry to AUDIT_CHANNEL, and a failed mirror does not fail the write', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl(), env: { AUDIT_CHANNEL: 'CAUDIT' } });
    await perform(bot.deps, bot.app.client, CTX, async () => 'ok');
    const [entry] = await bot.store.listAudit({ limit: 1 });
    if (!entry) throw new Error('no entry');
    // Mirrored in the background, so a slow Slack never delays an ack.
    expect(await bot.drain(5_000)).toBe(true);
    const mirrored = bot.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CAUDIT');
    expect(mirrored.at(-1)?.args.text).toBe(auditLine(entry));
    expect(mirrored).toHaveLength(2); // started, then succeeded

    bot.slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const again = await perform(bot.deps, bot.app.client, CTX, async () => 'ok');
    expect(again.kind).toBe('succeeded');
    expect(await bot.store.listAudit({ limit: 5 })).toHaveLength(4);
    await waitFor(() => bot.logs.some((l) => l.includes('could not mirror audit entry')), {
      what: 'the mirror failure in the log',
    });
  });
});

describe.each(STORE_ENGINES)('a trace before every write (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('audits "started" before ONSIM is asked, and a write cut off mid-way is reported as outcome unknown', async () => {
    let clock = Date.now();
    bot = await startTestBot({ databaseUrl: await databaseUrl(), now: () => clock });
    // ONSIM takes the bundle change and never answers, as if the bot were killed meanwhile.
    bot.sandbox.setFault({ hang: true, match: { method: 'POST', pathPrefix: '/account/' } });
    await bot.driver.command('bundle 07700 900123 UNLIMITED', { user: USERS.operator });
    await waitFor(() => bot.sandbox.requestsTo('POST', '/account/').length === 1, { what: 'the write' });
    const trail = await bot.store.listAudit({ limit: 5 });
    expect(trail.map((e) => [e.operation, e.event, e.userId, e.channelId])).toEqual([
      ['change bundle', 'started', USERS.operator, 'C123'],
    ]);

    // The sweep at the next start-up (or every 5 minutes) finds the write nobody finished.
    clock += 6 * 60_000;
    expect(await settleAbandonedClaims(bot.deps, bot.app.client)).toBe(1);
    expect(await settleAbandonedClaims(bot.deps, bot.app.client)).toBe(0);
    const [last] = await bot.store.listAudit({ limit: 1 });
    expect(last).toMatchObject({
      operation: 'change bundle',
      event: 'outcome_unknown',
      target: '447700900123',
    });
    const record = await waitFor(
      () => bot.slack.messages().find((m) => m.via === 'postMessage' && m.text.includes('Outcome unknown')),
      { what: 'the outcome-unknown record in the channel' },
    );
    expect(record.channel).toBe('C123');
    expect(record.text).toContain(`asked by <@${USERS.operator}>`);
    bot.sandbox.setFault(null);
  });
});

describe('audit mirroring', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('does not wait for a slow AUDIT_CHANNEL post, and keeps the mirror in order', async () => {
    bot = await startTestBot({ env: { AUDIT_CHANNEL: 'CAUDIT' } });
    bot.slack.setLatency('chat.postMessage', 2_500);
    const mirrored = () => bot.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CAUDIT');
    await perform(bot.deps, bot.app.client, CTX, async () => 'first');
    await perform(bot.deps, bot.app.client, CTX, async () => 'second');
    // Both are done while the first mirror post is still unanswered: neither waited for it.
    await waitFor(() => mirrored().length > 0, { what: 'the first mirror post' });
    expect(mirrored().filter((c) => c.answer !== undefined)).toEqual([]);
    // Four entries (started and succeeded, twice) mirrored one after another.
    expect(await bot.drain(30_000)).toBe(true);
    const entries = (await bot.store.listAudit({ limit: 4 })).reverse();
    expect(mirrored().map((c) => c.args.text)).toEqual(entries.map(auditLine));
  });
});

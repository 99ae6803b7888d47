import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settleAbandonedClaims } from '../../src/guard/abandoned-claims.js';
import {
  CONFIRMATION_TTL_MS,
  cancelConfirmation,
  claimConfirmation,
  requestConfirmation,
  runConfirmed,
} from '../../src/guard/confirmations.js';
import { OnsimNotFoundError, OnsimOutcomeUnknownError } from '../../src/onsim/errors.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { STORE_ENGINES } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

describe.each(STORE_ENGINES)('confirmations (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  let clock: number;
  beforeEach(async () => {
    clock = Date.UTC(2026, 2, 1, 12, 0, 0);
    bot = await startTestBot({ databaseUrl: await databaseUrl(), now: () => clock });
  });
  afterEach(async () => {
    await bot.close();
  });

  const request = (detail: string | null = 'voice OFF, sms ON') =>
    requestConfirmation(bot.deps, bot.app.client, {
      operation: 'recording off',
      userId: USERS.admin,
      channelId: 'C123',
      target: '447700900126',
      payload: { mpn: '447700900126', voice_recording: 'OFF', sms_recording: 'ON' },
      detail,
    });
  const claim = (id: string, user: string = USERS.admin, detail: string | null = null) =>
    claimConfirmation(bot.deps, bot.app.client, id, user, 'C123', detail);
  const trail = async () => (await bot.store.listAudit({ limit: 50 })).reverse();

  it('reports a confirmed action left half-done by a stopped instance as outcome unknown, once', async () => {
    const c = await request();
    expect((await claim(c.id)).ok).toBe(true);
    // The instance dies here, before ONSIM answers. Not yet abandoned within the grace period:
    clock += CONFIRMATION_TTL_MS + 60_000;
    expect(await settleAbandonedClaims(bot.deps, bot.app.client)).toBe(0);
    clock += 10 * 60_000;
    expect(await settleAbandonedClaims(bot.deps, bot.app.client)).toBe(1);
    expect(await settleAbandonedClaims(bot.deps, bot.app.client)).toBe(0);

    expect(await bot.store.getConfirmation(c.id)).toMatchObject({
      status: 'done',
      result: 'outcome_unknown',
    });
    expect((await trail()).at(-1)).toMatchObject({ event: 'outcome_unknown', target: '447700900126' });
    const record = await waitFor(
      () => bot.slack.messages().find((m) => m.via === 'postMessage' && m.channel === 'C123'),
      { what: 'the channel record' },
    );
    expect(record.text).toContain('Outcome unknown');
    expect(record.text).toContain('check before retrying');
  });

  it('stores a pending confirmation owned by its requester for 10 minutes and audits the request', async () => {
    const c = await request();

    expect(c).toMatchObject({
      status: 'pending',
      userId: USERS.admin,
      expiresAt: clock + CONFIRMATION_TTL_MS,
    });
    expect(CONFIRMATION_TTL_MS).toBe(10 * 60_000);
    expect(await trail()).toEqual([
      expect.objectContaining({
        event: 'requested',
        operation: 'recording off',
        detail: 'voice OFF, sms ON',
      }),
    ]);
  });

  it('lets exactly one of many simultaneous claims through', async () => {
    const c = await request();
    const claims = await Promise.all(Array.from({ length: 6 }, () => claim(c.id)));

    expect(claims.filter((x) => x.ok)).toHaveLength(1);
    expect(claims.filter((x) => !x.ok && x.reason === 'already_used')).toHaveLength(5);
    expect((await trail()).filter((e) => e.event === 'confirmed')).toHaveLength(1);
  });

  it('refuses someone else’s claim, audits it, and leaves the confirmation to its owner', async () => {
    const c = await request();
    const other = await claim(c.id, USERS.operator);

    expect(other).toMatchObject({ ok: false, reason: 'wrong_user', final: false });
    expect(other.ok ? '' : other.message).toContain(`<@${USERS.admin}>`);
    expect((await trail()).at(-1)).toMatchObject({ event: 'refused', userId: USERS.operator });
    expect(await claim(c.id)).toMatchObject({ ok: true });
  });

  it('refuses a claim after 10 minutes and says it expired', async () => {
    const c = await request();
    clock += CONFIRMATION_TTL_MS;
    const late = await claim(c.id);

    expect(late).toMatchObject({ ok: false, reason: 'expired', final: true });
    expect(late.ok ? '' : late.message).toContain('expired');
    expect((await trail()).at(-1)).toMatchObject({ event: 'expired' });
  });

  it('says a confirmation that does not exist cannot run', async () => {
    expect(await claim('no-such-id')).toMatchObject({ ok: false, reason: 'not_found', final: true });
  });

  it('audits the detail given when claiming (the reason)', async () => {
    const c = await request();
    await claim(c.id, USERS.admin, 'reason: customer request');
    expect((await trail()).at(-1)).toMatchObject({ event: 'confirmed', detail: 'reason: customer request' });
  });

  it('records the outcome on the confirmation and in the audit trail, and says it was used', async () => {
    const c = await request();
    const claimed = await claim(c.id);
    if (!claimed.ok) throw new Error('not claimed');
    const outcome = await runConfirmed(
      bot.deps,
      bot.app.client,
      claimed.confirmation,
      'why',
      async () => 'done',
    );

    expect(outcome).toEqual({ kind: 'succeeded', value: 'done' });
    expect(await bot.store.getConfirmation(c.id)).toMatchObject({ status: 'done', result: 'succeeded' });
    expect((await trail()).at(-1)).toMatchObject({ event: 'succeeded', detail: 'why' });
    const again = await claim(c.id);
    expect(again.ok ? '' : again.message).toContain('already used (outcome: succeeded)');
  });

  it('keeps an unknown outcome apart from failure', async () => {
    const unknown = await claim((await request()).id);
    const failing = await claim((await request()).id);
    if (!unknown.ok || !failing.ok) throw new Error('not claimed');

    const u = await runConfirmed(bot.deps, bot.app.client, unknown.confirmation, null, async () => {
      throw new OnsimOutcomeUnknownError('recording change', 'ONSIM answered 503');
    });
    const f = await runConfirmed(bot.deps, bot.app.client, failing.confirmation, null, async () => {
      throw new OnsimNotFoundError('recording change', 404, 'Not Found', undefined);
    });

    expect(u.kind).toBe('outcome_unknown');
    expect(f.kind).toBe('failed');
    expect(await bot.store.getConfirmation(unknown.confirmation.id)).toMatchObject({
      result: 'outcome_unknown',
    });
    expect(await bot.store.getConfirmation(failing.confirmation.id)).toMatchObject({ result: 'failed' });
    const events = (await trail()).map((e) => e.event);
    expect(events).toContain('outcome_unknown');
    expect(events).toContain('failed');
  });

  it('lets only the requester cancel, once, and audits both', async () => {
    const c = await request();
    const other = await cancelConfirmation(bot.deps, bot.app.client, c.id, USERS.operator, null);
    expect(other).toMatchObject({ ok: false });
    expect((await trail()).at(-1)).toMatchObject({
      event: 'refused',
      userId: USERS.operator,
      channelId: 'C123',
    });

    expect(await cancelConfirmation(bot.deps, bot.app.client, c.id, USERS.admin, null)).toMatchObject({
      ok: true,
    });
    expect((await trail()).at(-1)).toMatchObject({ event: 'cancelled', userId: USERS.admin });
    const twice = await cancelConfirmation(bot.deps, bot.app.client, c.id, USERS.admin, null);
    expect(twice.ok ? '' : twice.message).toContain('cancelled');
    const late = await claim(c.id);
    expect(late.ok ? '' : late.message).toContain('cancelled');
  });
});

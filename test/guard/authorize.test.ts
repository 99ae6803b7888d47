import { afterEach, describe, expect, it } from 'vitest';
import { authorize } from '../../src/guard/authorize.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { STORE_ENGINES } from '../support/postgres.js';

describe.each(STORE_ENGINES)('authorize (%s)', (_engine, databaseUrl) => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  const check = (userId: string, need: 'operator' | 'admin') =>
    authorize(bot.deps, bot.app.client, { userId, channelId: 'C123' }, need, 'cease', '447700900123');

  it('lets each role do what it holds, admins everything operators can', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    expect(await check(USERS.admin, 'admin')).toEqual({ ok: true, role: 'admin' });
    expect(await check(USERS.admin, 'operator')).toEqual({ ok: true, role: 'admin' });
    expect(await check(USERS.operator, 'operator')).toEqual({ ok: true, role: 'operator' });
    expect(await bot.store.listAudit({ limit: 10 })).toEqual([]);
  });

  it('refuses with the role needed, the caller’s role and who holds it, and audits the refusal', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl() });
    const res = await check(USERS.operator, 'admin');

    expect(res.ok).toBe(false);
    const message = res.ok ? '' : res.message;
    expect(message).toContain('*cease* needs the *admin* role; you are an *operator*');
    expect(message).toContain(`<@${USERS.admin}>`);
    expect(await bot.store.listAudit({ limit: 10 })).toEqual([
      expect.objectContaining({
        userId: USERS.operator,
        channelId: 'C123',
        operation: 'cease',
        target: '447700900123',
        event: 'refused',
        detail: 'needs admin, caller is operator',
      }),
    ]);
  });

  it('says how to get the role when nobody holds it', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl(), env: { ADMINS: '', OPERATORS: '' } });
    const res = await check(USERS.operator, 'operator');
    expect(res.ok ? '' : res.message).toContain('sets OPERATORS');
  });

  it('grants nothing from a user group Slack cannot resolve (fail closed)', async () => {
    bot = await startTestBot({ databaseUrl: await databaseUrl(), env: { ADMINS: 'S999' } });
    // The fake answers no_such_subteam for a group it does not know.
    const res = await check('UANYONE', 'admin');
    expect(res).toMatchObject({ ok: false, role: 'viewer' });
    expect(res.ok ? '' : res.message).toContain('<!subteam^S999>');
  });
});

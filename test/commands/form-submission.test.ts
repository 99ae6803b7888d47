import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfirmationForm, openSubmission } from '../../src/commands/form-submission.js';
import { jsonCodec } from '../../src/slack/metadata.js';
import { confirmationMetadata } from '../../src/views/confirm.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';

type Meta = { channel: string; mpn: string };
const GOOD = JSON.stringify({ channel: 'C123', mpn: '447700900123' });
const SPEC = {
  title: 'Test form',
  metadata: jsonCodec(z.object({ channel: z.string(), mpn: z.string() })),
  again: '/onsim test',
  nothing: 'changed',
  need: 'operator' as const,
  operation: 'test change',
  channel: (meta: Meta) => meta.channel,
  parse: (values: unknown) =>
    values === 'valid'
      ? { ok: true as const, answer: 42 }
      : { ok: false as const, errors: { answer: 'Type a number, e.g. 42.' } },
  target: (meta: Meta) => meta.mpn,
};

describe('openSubmission', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  it('says the form is outdated when its metadata is not this form’s, and what to run', async () => {
    bot = await startTestBot();
    const form = { userId: USERS.operator, privateMetadata: 'forged', values: 'valid' };
    const opened = await openSubmission(bot.deps, bot.app.client, form, SPEC);
    expect(opened.ok).toBe(false);
    expect(JSON.stringify(!opened.ok && opened.answer)).toContain(
      'This form is outdated; nothing was changed. Close it and run `/onsim test` again.',
    );
  });

  it('refuses a submitter without the role before showing field errors, and audits the refusal', async () => {
    bot = await startTestBot();
    const form = { userId: USERS.viewer, privateMetadata: GOOD, values: 'invalid' };
    const opened = await openSubmission(bot.deps, bot.app.client, form, SPEC);
    expect(!opened.ok && opened.answer.response_action).toBe('update');
    expect(JSON.stringify(!opened.ok && opened.answer)).toContain('needs the *operator* role');
    const refused = (await bot.store.listAudit({ limit: 5 })).filter((e) => e.event === 'refused');
    expect(refused.map((e) => [e.operation, e.target])).toEqual([['test change', '447700900123']]);
  });

  it('answers field errors under their fields, then opens a valid submission', async () => {
    bot = await startTestBot();
    const bad = { userId: USERS.operator, privateMetadata: GOOD, values: 'invalid' };
    expect(await openSubmission(bot.deps, bot.app.client, bad, SPEC)).toEqual({
      ok: false,
      answer: { response_action: 'errors', errors: { answer: 'Type a number, e.g. 42.' } },
    });
    const good = { ...bad, values: 'valid' };
    expect(await openSubmission(bot.deps, bot.app.client, good, SPEC)).toEqual({
      ok: true,
      meta: { channel: 'C123', mpn: '447700900123' },
      fields: { ok: true, answer: 42 },
      who: { userId: USERS.operator, channelId: 'C123' },
    });
  });
});

describe('loadConfirmationForm', () => {
  let bot: TestBot;
  afterEach(async () => {
    await bot.close();
  });

  const EXPECT = {
    title: 'Test step',
    nothing: 'ceased',
    again: '/onsim test',
    operation: 'test step',
    payload: z.object({ mpn: z.string() }),
    need: 'admin' as const,
  };
  /** An admin's confirmation of `operation`, waiting for ten more minutes. */
  const pending = (id: string, operation: string) => ({
    id,
    operation,
    userId: USERS.admin,
    channelId: 'C123',
    target: '447700900123',
    payload: { mpn: '447700900123' },
    createdAt: 0,
    expiresAt: Date.now() + 600_000,
  });

  it('says a form whose confirmation is unknown or of another step is no longer valid, and what to run', async () => {
    bot = await startTestBot();
    const other = await bot.store.createConfirmation(pending('c-other', 'another step'));
    for (const metadata of ['forged', confirmationMetadata.encode(other.id)]) {
      const form = await loadConfirmationForm(bot.deps, bot.app.client, metadata, USERS.admin, EXPECT);
      expect(form).toEqual({
        ok: false,
        answer: {
          response_action: 'update',
          view: expect.objectContaining({ title: expect.objectContaining({ text: 'Test step' }) }),
        },
      });
      expect(JSON.stringify(form)).toContain(
        'This form is no longer valid. Nothing was ceased; run `/onsim test` again.',
      );
    }
  });

  it('refuses a submitter who lost the role, and opens the form for one who has it', async () => {
    bot = await startTestBot();
    const c = await bot.store.createConfirmation(pending('c-1', 'test step'));
    const metadata = confirmationMetadata.encode(c.id);
    const refused = await loadConfirmationForm(bot.deps, bot.app.client, metadata, USERS.operator, EXPECT);
    expect(JSON.stringify(refused)).toContain('needs the *admin* role');
    const opened = await loadConfirmationForm(bot.deps, bot.app.client, metadata, USERS.admin, EXPECT);
    expect(opened).toMatchObject({ ok: true, confirmation: { id: 'c-1' }, payload: { mpn: '447700900123' } });
  });
});

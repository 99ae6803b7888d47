import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

let bot: TestBot;
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string): Promise<string> {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await waitFor(
    () => bot.slack.responsesTo(sent.responseUrl).find((r) => !String(r.body.text).includes('Asking ONSIM')),
    { what: `the answer to ${text}` },
  );
  expect(answer.body.response_type).toBe('ephemeral');
  return String(answer.body.text);
}

describe('a per-user limit on look-ups', () => {
  it('tells a user who looks up too fast to slow down, without asking ONSIM, and lets others on', async () => {
    let clock = Date.now();
    bot = await startTestBot({ env: { USER_READS_PER_MINUTE: '2' }, now: () => clock });
    const lookup = `account ${F.installedEsimMpn}`;
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    const asked = bot.sandbox.requests.length;
    expect(await ask(lookup, USERS.viewer)).toBe(
      "🐢 Slow down: you have made many look-ups in the last minute, and ONSIM limits the whole team's key. Try again in 30 s.",
    );
    expect(bot.sandbox.requests.length).toBe(asked);
    // Someone else is not held back by it.
    expect(await ask(lookup, USERS.operator)).not.toContain('Slow down');
    // Half a minute later one look-up's worth has come back.
    clock += 30_000;
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).toContain('Try again in 30 s');
  });

  it('limits only viewers, and only look-ups that ask ONSIM', async () => {
    bot = await startTestBot({ env: { USER_READS_PER_MINUTE: '2' }, now: () => Date.now() });
    const lookup = `account ${F.installedEsimMpn}`;
    for (const user of [USERS.operator, USERS.admin]) {
      for (let i = 0; i < 3; i++) expect(await ask(lookup, user)).not.toContain('Slow down');
    }
    for (let i = 0; i < 3; i++) expect(await ask('whoami', USERS.viewer)).not.toContain('Slow down');
    expect(await ask(lookup, USERS.viewer)).not.toContain('Slow down');
  });
});

// ONSIM's error bodies may quote customers' names and emails, or a SIP password. They reach the
// requester (masked) and the log, never the audit trail, its mirror channel or any channel.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

describe("ONSIM's error text", () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('goes to the requester and the log, masked; the audit trail and its mirror get the status only', async () => {
    const b = await startTestBot({ env: { AUDIT_CHANNEL: 'CAUDIT' } });
    bot = b;
    const words = `Line of Jo Private <jo.private@example.com> locked; pbx_password=Hunter2-Secret! key ${b.sandbox.apiKey}`;
    b.sandbox.setFault({ status: 422, detail: words, match: { method: 'POST', pathPrefix: '/account/' } });

    const sent = await b.driver.command('bundle 07700 900123 UNLIMITED', { user: USERS.operator });
    const reply = await waitFor(
      () => b.slack.responsesTo(sent.responseUrl).find((r) => String(r.body.text).includes('ONSIM')),
      { what: 'the failure told to the operator' },
    );
    expect(await b.drain(10_000)).toBe(true);

    // The requester learns what ONSIM said, without the secrets in it.
    const told = JSON.stringify(reply.body);
    expect(told).toContain('jo.private@example.com');
    expect(told).not.toContain('Hunter2-Secret!');
    expect(told).not.toContain(b.sandbox.apiKey);

    const failed = (await b.store.listAudit({ limit: 10 })).find((e) => e.event === 'failed');
    expect(failed?.detail).toBe('to UNLIMITED — bundle change: ONSIM answered 422 Unprocessable Entity');
    const mirrored = b.slack.messages().filter((m) => m.channel === 'CAUDIT');
    expect(mirrored.length).toBeGreaterThan(0);
    const everyChannel = JSON.stringify(b.slack.messages().filter((m) => m.via !== 'response'));
    expect(everyChannel).not.toContain('jo.private');
    expect(everyChannel).not.toContain('Jo Private');

    const logged = b.logs.join('\n');
    expect(logged).toContain('jo.private@example.com');
    expect(logged).not.toContain('Hunter2-Secret!');
    expect(logged).not.toContain(b.sandbox.apiKey);
  });
});

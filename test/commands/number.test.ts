import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { waitFor } from '../support/wait.js';

const NEW_NUMBER = F.unknownMpn;
const NEW_SHOWN = '+44 7700 900999';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

async function ask(text: string, user: string = USERS.operator): Promise<string> {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return String(answer.body.text);
}

const records = () => bot.slack.messages().filter((m) => m.via === 'postMessage');

describe('/onsim number add <mpn>', () => {
  it('adds the number as reserved, records it in the channel and tells the operator', async () => {
    const text = await ask('number add 07700 900999');

    expect(bot.sandbox.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `/numbers/${NEW_NUMBER}`, undefined],
    ]);
    expect(bot.sandbox.state.numbers.get(NEW_NUMBER)?.state).toBe('RESERVED');
    expect(text).toContain(`${NEW_SHOWN} is now one of your numbers`);
    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(record.channel).toBe('C123');
    expect(record.text).toBe(`☎️ Number ${NEW_SHOWN} added (reserved) by <@${USERS.operator}>`);
  });

  it('says the number already exists when ONSIM answers 409, and records nothing', async () => {
    const text = await ask(`number add +${F.reservedNumber}`);

    expect(text).toContain('+44 7700 900201 already exists in your numbers');
    expect(bot.sandbox.requestsTo('POST', '/numbers/')).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it('refuses a bad MPN with what was wrong and an example, without asking ONSIM', async () => {
    const text = await ask('number add 07700 9OO999');

    expect(text).toContain('contains the letter “O”');
    expect(text).toContain('/onsim number add +44 7700 900123');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('refuses a viewer', async () => {
    const text = await ask('number add 07700 900999', USERS.viewer);

    expect(text).toContain('add number needs the operator role');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('says "outcome unknown", never success, when ONSIM answers 503, and sends the request once', async () => {
    bot.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/numbers/' } });

    const text = await ask('number add 07700 900999');

    expect(text).toContain('Outcome unknown');
    expect(text).not.toContain('is now one of your numbers');
    expect(bot.sandbox.requestsTo('POST', '/numbers/')).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it.each([
    ['number', 'adds a number to your numbers at ONSIM'],
    ['number delete 07700 900999', 'delete is not something number does'],
    ['number add', 'Which number?'],
  ])('answers "%s" with the usage', async (command, expected) => {
    const text = await ask(command);

    expect(text).toContain(expected);
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

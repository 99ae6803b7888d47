import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOOKUP_SHORTCUT_ID } from '../../src/commands/lookup-message.js';
import { identifiersIn, parseQuery } from '../../src/commands/search.js';
import { luhnCheckDigit } from '../../src/onsim/identifiers.js';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_OPEN, ACTION_PAGE } from '../../src/views/rerun.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { waitFor } from '../support/wait.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

async function find(text: string, user: string = USERS.viewer) {
  const sent = await bot.driver.command(`find ${text}`, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return { answer, shown: JSON.stringify(answer.body.blocks ?? []) };
}

type Btn = { action_id?: string; value?: string; text?: { text: string } };
function buttons(body: RecordedResponse['body']): Btn[] {
  const blocks = (body.blocks ?? []) as { type: string; elements?: Btn[]; accessory?: Btn }[];
  return blocks.flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]);
}

describe('/onsim find', () => {
  it('finds a name whatever its accents and case, and one match opens the card directly', async () => {
    const added = bot.sandbox.addSubscriber({ firstName: 'Zoë', lastName: 'Brontë-Ødegård' });
    const { answer, shown } = await find('ZOE bronte-odegard');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(shown).toContain('📱 +44 7700 ');
    expect(shown).toContain('Zoë Brontë-Ødegård');
    expect(bot.sandbox.requestsTo('GET', `/account/${added.mpn}`)).toHaveLength(1);

    const accented = await find('Ökafor');
    expect(accented.shown).toContain('Amelia Okafor');
  });

  it('finds national, international and partial numbers, and ICCIDs in either form', async () => {
    expect((await find('07700 900124')).shown).toContain('Harry Whitfield');
    expect((await find('+44 7700 900123')).shown).toContain('Olivia Bennett');
    expect((await find('0044 7700 900125')).shown).toContain('Amelia Okafor');
    const printed = `${F.installedEsimIccid}${luhnCheckDigit(F.installedEsimIccid)}`;
    expect((await find(printed.replace(/(\d{4})/g, '$1 '))).shown).toContain('Olivia Bennett');

    const partial = await find('900 12');
    expect(partial.shown).toContain('Subscribers matching');
    const opens = buttons(partial.answer.body).filter((b) => b.action_id === ACTION_OPEN);
    expect(opens.length).toBeGreaterThan(1);
    expect(partial.shown).toContain('Olivia Bennett');
    expect(partial.shown).toContain('Harry Whitfield');
  });

  it('says so when nothing matches, and when the text is too short to mean anything', async () => {
    const none = await find('Qzxwv');
    expect(none.shown).toContain('No subscriber matches `Qzxwv`');
    expect(bot.sandbox.requestsTo('GET', '/account/')).toHaveLength(0);

    const short = await find('a');
    expect(short.shown).toContain('too short to search for');
    expect(short.shown).toContain('at least 2 letters or 3 digits');
    const empty = await find('');
    expect(empty.shown).toContain('What should I look for?');
  });

  it('pages 500 matches, and Open answers with the card in a new message', async () => {
    for (let i = 0; i < 500; i++) bot.sandbox.addSubscriber({ firstName: `P${i}`, lastName: 'Pagetest' });
    const { answer, shown } = await find('pagetest');
    expect(shown).toContain('Page 1 of 34 · 500 matches');
    const opens = buttons(answer.body).filter((b) => b.action_id === ACTION_OPEN);
    expect(opens).toHaveLength(15);

    const next = buttons(answer.body).find((b) => b.action_id === ACTION_PAGE);
    const paged = await bot.driver.blockAction({ actionId: ACTION_PAGE, value: next?.value ?? '' });
    const page2 = await waitFor(() => bot.slack.responsesTo(paged.responseUrl ?? '')[0], { what: 'page 2' });
    expect(JSON.stringify(page2.body.blocks)).toContain('Page 2 of 34 · 500 matches');
    expect(page2.body.replace_original).toBe(true);

    const open = opens[0];
    const clicked = await bot.driver.blockAction({ actionId: ACTION_OPEN, value: open?.value ?? '' });
    const card = await waitFor(() => bot.slack.responsesTo(clicked.responseUrl ?? '')[0], {
      what: 'the card',
    });
    expect(card.body.replace_original).toBe(false);
    expect(JSON.stringify(card.body.blocks)).toContain('Pagetest');
    expect(JSON.stringify(card.body.blocks)).toContain('*Services*');
  });

  it('tells the user what failed when ONSIM cannot list the subscribers', async () => {
    bot.sandbox.setFault({ status: 503, match: { pathPrefix: '/reseller/subscribers' }, times: 20 });
    const { shown } = await find('okafor');
    expect(shown).toMatch(/search the subscribers/);
  });
});

describe('"Look up in ONSIM" message shortcut', () => {
  it('answers the clicker privately with the card of every number and ICCID in the message', async () => {
    const sent = await bot.driver.messageShortcut(LOOKUP_SHORTCUT_ID, {
      user: USERS.operator,
      message: {
        text: `Customer on <tel:07700900123|07700 900123> says SIM ${F.readyEsimIccid} will not install (ticket 2026-11-20, £15.00). Also 07700 900123 again.`,
      },
    });
    expect(sent.status).toBe(200);
    const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the look-up' });
    expect(answer.body.response_type).toBe('ephemeral');
    const shown = JSON.stringify(answer.body.blocks);
    expect(shown).toContain('Olivia Bennett');
    expect(shown).toContain('Harry Whitfield');
    expect(bot.sandbox.requestsTo('GET', '/account/').map((r) => r.path)).toEqual([
      `/account/${F.installedEsimMpn}`,
      `/account/${F.readyEsimMpn}`,
    ]);
    // The clicker is an operator: the cards offer what an operator may do.
    expect(buttons(answer.body).some((b) => b.text?.text.includes('Change bundle'))).toBe(true);
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('explains what it looks for when the message has no number or ICCID', async () => {
    const sent = await bot.driver.messageShortcut(LOOKUP_SHORTCUT_ID, {
      message: { text: 'Can someone call the customer back about 3 SIMs?' },
    });
    const answer = await waitFor(() => bot.slack.responsesTo(sent.responseUrl)[0], { what: 'the answer' });
    expect(JSON.stringify(answer.body.blocks)).toContain('no phone number or ICCID I can read');
  });
});

describe('search rules', () => {
  it('reads number queries in national and international forms', () => {
    const q = parseQuery('07700 900', 'GB');
    expect(q).toEqual({ ok: true, words: [], digits: ['07700900', '447700900'] });
    expect(parseQuery('12', 'GB')).toEqual({ ok: false, problem: 'too_short' });
  });

  it('finds identifiers in text but not dates or amounts', () => {
    expect(
      identifiersIn('call +44 7700 900123 or ONSIM8944530100000001023 on 2026-11-20 for £1,500.00', 'GB'),
    ).toEqual([
      { kind: 'mpn', value: '447700900123' },
      { kind: 'iccid', value: '8944530100000001023' },
    ]);
  });
});

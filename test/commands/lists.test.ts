import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { csvCell, toCsv } from '../../src/views/csv.js';
import { ACTION_LIST_CSV } from '../../src/views/list.js';
import { ACTION_PAGE, ACTION_SHARE, rerunValue } from '../../src/views/rerun.js';
import { buttonsIn, type SentButton } from '../support/blocks.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { RecordedResponse } from '../support/fake-slack.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

type Body = RecordedResponse['body'];

async function ask(text: string, user: string = USERS.viewer) {
  const sent = await bot.driver.command(text, { user });
  expect(sent.status).toBe(200);
  const answer = await bot.answerAt(sent.responseUrl);
  return { body: answer.body, shown: JSON.stringify(answer.body.blocks ?? []) };
}

const button = (body: Body, label: string): SentButton => {
  const found = buttonsIn(body).find((b) => b.text?.text === label);
  if (!found) throw new Error(`no "${label}" button in ${JSON.stringify(body.blocks)}`);
  return found;
};

/** Every MPN shown, as E.164 digits. */
const shownMpns = (shown: string): string[] =>
  [...shown.matchAll(/\+44 7700 (\d{6})/g)].map((m) => `447700${m[1]}`);

/** Minimal RFC 4180 reader for the uploaded files. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('/onsim catalogue', () => {
  it('lists every product and bundle from one ONSIM call, privately, with a Share button', async () => {
    const { body, shown } = await ask('catalogue');

    expect(bot.sandbox.requestsTo('GET', '/reseller/catalogue')).toHaveLength(1);
    expect(body.response_type).toBe('ephemeral');
    expect(shown).toContain('📦 Product *18* · ONSIM UC Standard');
    expect(shown).toContain('📶 Bundle `DATA-10GB` · 10GB');
    expect(shown).toContain('12 items');
    expect(button(body, '📣 Share in channel')).toMatchObject({
      action_id: ACTION_SHARE,
      value: rerunValue('catalogue', 0),
    });
  });

  it('refuses arguments it does not take, with an example', async () => {
    const { shown } = await ask('catalogue bundles');
    expect(shown).toContain('`catalogue` takes no arguments');
    expect(shown).toContain('/onsim catalogue');
    expect(bot.sandbox.requestsTo('GET', '/reseller/catalogue')).toHaveLength(0);
  });
});

describe('/onsim subscribers', () => {
  it("matches the group case-insensitively to ONSIM's name and asks ONSIM for the recorded subscribers of it", async () => {
    const { shown } = await ask('subscribers acme_logistics recorded');

    const posts = bot.sandbox.requestsTo('POST', '/reseller/subscribers');
    expect(posts.map((r) => r.body)).toEqual([
      { state: 'PROVISIONED', group: 'ACME_LOGISTICS', is_recorded: true },
    ]);
    const expected = await bot.deps.onsim.reseller.listSubscribers({
      group: 'ACME_LOGISTICS',
      is_recorded: true,
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(shown).toContain('Subscribers of ACME_LOGISTICS · recorded');
    expect(shownMpns(shown).sort()).toEqual(expected.map((s) => s.mpn).sort());
    expect(shown).toContain('🔴 recorded');
  });

  it('takes the words in any order and sends is_recorded false for unrecorded', async () => {
    await ask('subscribers Unrecorded Brightwater-Legal');
    expect(bot.sandbox.requestsTo('POST', '/reseller/subscribers').map((r) => r.body)).toEqual([
      { state: 'PROVISIONED', group: 'Brightwater-Legal', is_recorded: false },
    ]);
  });

  it('says an unknown group is unknown, names the closest ones, and does not list anyone', async () => {
    const { shown } = await ask('subscribers acme');

    expect(shown).toContain('ONSIM has no group named `acme`');
    expect(shown).toContain('Closest: `ACME_LOGISTICS`.');
    expect(shown).toContain('/onsim groups');
    expect(bot.sandbox.requestsTo('POST', '/reseller/subscribers')).toHaveLength(0);
  });

  it('suggests the nearest names when none contains what was typed', async () => {
    const { shown } = await ask('subscribers Kestrel-Finanse');
    expect(shown).toContain('Closest: `Kestrel-Finance`, ');
  });

  it('refuses recorded and unrecorded together', async () => {
    const { shown } = await ask('subscribers recorded unrecorded');
    expect(shown).toContain('Choose `recorded` or `unrecorded`, not both');
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('pages through the 60 seeded subscribers with Next and Previous, replacing the message each time', async () => {
    const first = await ask('subscribers');
    expect(bot.sandbox.requestsTo('POST', '/reseller/subscribers').map((r) => r.body)).toEqual([
      { state: 'PROVISIONED' },
    ]);
    expect(first.shown).toContain('Page 1 of 4 · 60 subscribers');
    expect(buttonsIn(first.body).map((b) => b.text?.text)).toEqual([
      'Next ▶',
      '📣 Share in channel',
      'Download CSV',
    ]);
    const page1 = shownMpns(first.shown);
    expect(page1).toHaveLength(15);

    const next = button(first.body, 'Next ▶');
    expect(next).toMatchObject({ action_id: ACTION_PAGE, value: rerunValue('subscribers', 1) });
    const click = await bot.driver.blockAction({ actionId: ACTION_PAGE, value: next.value });
    expect(click.status).toBe(200);
    const second = await bot.answerAt(click.responseUrl ?? '');
    expect(second.body.replace_original).toBe(true);
    const secondShown = JSON.stringify(second.body.blocks);
    expect(secondShown).toContain('Page 2 of 4 · 60 subscribers');
    const page2 = shownMpns(secondShown);
    expect(page2).toHaveLength(15);
    expect(page2.filter((m) => page1.includes(m))).toEqual([]);

    const back = button(second.body, '◀ Previous');
    const clickBack = await bot.driver.blockAction({ actionId: ACTION_PAGE, value: back.value });
    const again = await bot.answerAt(clickBack.responseUrl ?? '');
    expect(again.body.replace_original).toBe(true);
    expect(shownMpns(JSON.stringify(again.body.blocks))).toEqual(page1);

    // All four pages together are the 60 subscribers, each once.
    const all: string[] = [];
    for (let page = 0; page < 4; page++) {
      const c = await bot.driver.blockAction({
        actionId: ACTION_PAGE,
        value: rerunValue('subscribers', page),
      });
      all.push(...shownMpns(JSON.stringify((await bot.answerAt(c.responseUrl ?? '')).body.blocks)));
    }
    const everyone = await bot.deps.onsim.reseller.listSubscribers();
    expect(all.sort()).toEqual(everyone.map((s) => s.mpn).sort());
  });

  it('Share in channel posts the same page for everyone to see', async () => {
    const first = await ask('subscribers');
    const next = await bot.driver.blockAction({
      actionId: ACTION_PAGE,
      value: button(first.body, 'Next ▶').value,
    });
    const second = await bot.answerAt(next.responseUrl ?? '');
    const share = button(second.body, '📣 Share in channel');
    expect(share).toMatchObject({ action_id: ACTION_SHARE, value: rerunValue('subscribers', 1) });

    const click = await bot.driver.blockAction({
      actionId: ACTION_SHARE,
      value: share.value,
      user: USERS.admin,
    });
    const shared = await bot.answerAt(click.responseUrl ?? '');
    expect(shared.body.response_type).toBe('in_channel');
    const shown = JSON.stringify(shared.body.blocks);
    expect(shownMpns(shown)).toEqual(shownMpns(JSON.stringify(second.body.blocks)));
    expect(shown).toContain(`Shared by <@${USERS.admin}>`);
  });

  it("Download CSV sends the whole list as a CSV file to the requester's DM and says so privately", async () => {
    const { body } = await ask('subscribers');
    const csvButton = button(body, 'Download CSV');
    expect(csvButton).toMatchObject({ action_id: ACTION_LIST_CSV, value: 'subscribers' });

    const click = await bot.driver.blockAction({ actionId: ACTION_LIST_CSV, value: csvButton.value });
    const confirmation = await bot.answerAt(click.responseUrl ?? '');

    expect(bot.slack.callsTo('conversations.open').map((c) => c.args.users)).toEqual([USERS.viewer]);
    expect(bot.slack.uploads).toHaveLength(1);
    const upload = bot.slack.uploads[0]!;
    expect(upload.channelId).toBe(`D${USERS.viewer}`);
    expect(upload.filename).toMatch(/^onsim-subscribers-\d{4}-\d{2}-\d{2}\.csv$/);

    const rows = parseCsv(upload.bytes.toString('utf8'));
    const [header, ...data] = rows;
    expect(header).toEqual([
      'first_name',
      'last_name',
      'mpn',
      'iccid',
      'i_account',
      'email',
      'group',
      'bundle',
      'sim_type',
      'recorded',
      'state',
    ]);
    const everyone = await bot.deps.onsim.reseller.listSubscribers();
    expect(data).toHaveLength(60);
    const byMpn = new Map(data.map((r) => [r[2], r]));
    for (const s of everyone) {
      const row = byMpn.get(s.mpn);
      expect(row, s.mpn).toBeDefined();
      expect(row).toEqual([
        s.first_name,
        s.last_name,
        s.mpn,
        s.iccid,
        s.i_account,
        s.email,
        s.group,
        s.bundle,
        s.sim_type,
        s.is_recorded ? 'yes' : 'no',
        'PROVISIONED',
      ]);
    }
    const olivia = byMpn.get(F.installedEsimMpn);
    expect(olivia?.slice(0, 2)).toEqual(['Olivia', 'Bennett']);

    expect(confirmation.body.response_type).toBe('ephemeral');
    expect(confirmation.body.replace_original).toBe(false);
    const said = JSON.stringify(confirmation.body.blocks);
    expect(said).toContain('to your DMs');
    expect(said).toContain('names and emails');
    expect(said).toContain('60 rows');
  });

  it('answers an ONSIM 500 with what failed and what to do', async () => {
    bot.sandbox.setFault({ status: 500, match: { pathPrefix: '/reseller/subscribers' } });
    const { shown } = await ask('subscribers');
    expect(shown).toContain('ONSIM had an internal problem (500');
    expect(shown).toContain('list the subscribers');
    expect(shown).toContain('try again in a few minutes');
  });
});

describe('/onsim groups', () => {
  it('lists the seeded groups by name with their description', async () => {
    const { shown } = await ask('groups');
    expect(bot.sandbox.requestsTo('GET', '/reseller/groups')).toHaveLength(1);
    expect(shown).toContain(
      '*ACME_LOGISTICS* — Acme Logistics Ltd: drivers and depot staff · Manchester · GBR',
    );
    expect(shown).toContain('6 groups');
    expect(shown.indexOf('ACME_LOGISTICS')).toBeLessThan(shown.indexOf('ThamesValley_IT'));
  });

  it('points to `group add` when asked to add', async () => {
    const { shown } = await ask('groups add');
    expect(shown).toContain('/onsim group add');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('/onsim sims', () => {
  it('defaults to the active SIMs of every type', async () => {
    const { shown } = await ask('sims');
    expect(bot.sandbox.requestsTo('GET', '/sims/').map((r) => r.path)).toEqual(['/sims/ACTIVE/ALL']);
    expect(shown).toContain('Active SIMs');
    expect(shown).toContain('60 SIMs');
    const [first] = await bot.deps.onsim.sims.list('ACTIVE', 'ALL');
    expect(shown).toContain(`\`${first?.iccid}\` · ${first?.type} · ACTIVE · +44 7700 900101`);
    expect(shown).toContain('Page 1 of 4');
  });

  it('takes state and type in any order and any case', async () => {
    const { shown } = await ask('sims ESIM Reserved');
    expect(bot.sandbox.requestsTo('GET', '/sims/').map((r) => r.path)).toEqual(['/sims/RESERVED/eSIM']);
    expect(shown).toContain('Reserved eSIMs');
    expect(shown).toContain('15 SIMs');
    expect(shown).toContain(F.reservedEsimIccid);
  });

  it('names the valid choices and gives an example for a word it does not know', async () => {
    const { shown } = await ask('sims used');
    expect(shown).toContain('`used` is not a SIM state or type');
    expect(shown).toContain('`active` (default) or `reserved`');
    expect(shown).toContain('`esim` or `psim`');
    expect(shown).toContain('/onsim sims reserved esim');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('/onsim numbers', () => {
  it('lists the reserved numbers', async () => {
    const { shown } = await ask('numbers reserved');
    expect(bot.sandbox.requestsTo('GET', '/numbers/').map((r) => r.path)).toEqual(['/numbers/RESERVED']);
    expect(shown).toContain('Reserved numbers');
    expect(shown).toContain('*+44 7700 900201* · RESERVED');
    expect(shown).toContain('10 numbers');
  });

  it('defaults to the active numbers', async () => {
    const { shown } = await ask('numbers');
    expect(bot.sandbox.requestsTo('GET', '/numbers/').map((r) => r.path)).toEqual(['/numbers/ACTIVE']);
    expect(shown).toContain('Page 1 of 4 · 60 numbers');
  });

  it('refuses an unknown state with the valid ones and an example', async () => {
    const { shown } = await ask('numbers free');
    expect(shown).toContain('`free` is not a number state');
    expect(shown).toContain('`active` (default) or `reserved`');
    expect(shown).toContain('/onsim numbers reserved');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('/onsim csv', () => {
  it('neutralises spreadsheet formulas and quotes what needs quoting in the uploaded file', async () => {
    await bot.deps.onsim.reseller.addGroup({
      name: 'Evil-Co',
      address_line_1: '1 High Street, Leeds',
      home_location: 'GBR',
      description: '=HYPERLINK("http://evil.example","click")',
    });
    const { shown } = await ask('csv groups');

    expect(shown).toContain('to your DMs');
    const bytes = bot.slack.uploads[0]?.bytes.toString('utf8') ?? '';
    expect(bytes).toContain(
      'Evil-Co,"\'=HYPERLINK(""http://evil.example"",""click"")",GBR,"1 High Street, Leeds"',
    );
    const evil = parseCsv(bytes).find((r) => r[0] === 'Evil-Co');
    expect(evil?.[1]).toBe('\'=HYPERLINK("http://evil.example","click")');
  });

  it('says which lists can be exported when the list is unknown', async () => {
    const { shown } = await ask('csv audit');
    expect(shown).toContain('`audit` is not a list');
    expect(shown).toContain('`subscribers`');
    expect(bot.slack.uploads).toHaveLength(0);
  });

  it('tells the user when Slack does not take the file, and sends nothing', async () => {
    bot.slack.failNext('files.getUploadURLExternal', { error: 'invalid_auth' });
    const { shown } = await ask('csv numbers reserved');
    expect(shown).toContain('Slack did not take the CSV file');
    expect(bot.slack.uploads).toHaveLength(0);
  });
});

describe('CSV cells', () => {
  it('prefixes cells a spreadsheet would run as formulas with a quote', () => {
    expect(['=1+1', '+44 7700', '-2', '@SUM(A1)', '\tx', 'plain', ''].map(csvCell)).toEqual([
      "'=1+1",
      "'+44 7700",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      'plain',
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks, and ends every line with CRLF', () => {
    expect(
      toCsv({
        columns: ['a', 'b'],
        rows: [
          ['x,y', 'say "hi"'],
          ['two\nlines', null],
        ],
      }),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"two\nlines",\r\n');
  });
});

describe('lists however long ONSIM makes them', () => {
  it("stay within Slack's limits on every page, page with Previous and Next, and offer a CSV file", async () => {
    const long = (n: number, c = 'x') => c.repeat(n);
    const state = bot.sandbox.state;
    for (let i = 0; i < 400; i++) {
      state.groups.push({
        name: `group-${i}-${long(30)}`,
        description: `<!channel> ${long(600, 'd')}`,
        homeLocation: 'GBR',
        addressLine1: long(100),
        city: long(200, 'c'),
      });
    }
    for (let i = 0; i < 300; i++) {
      state.catalogue.products.push({ id: 1000 + i, name: long(200, 'n'), description: long(2000, 'd') });
    }
    bot.sandbox.seedPorts(3000);

    for (const text of ['groups', 'catalogue', 'ports all', 'numbers']) {
      const first = await ask(text);
      const pages = Number(/Page 1 of (\d+)/.exec(first.shown)?.[1]);
      expect({ text, pages: pages > 3 }).toEqual({ text, pages: true });
      expect(button(first.body, 'Next ▶')).toMatchObject({
        action_id: ACTION_PAGE,
        value: rerunValue(text, 1),
      });
      expect(button(first.body, 'Download CSV')).toMatchObject({ action_id: ACTION_LIST_CSV, value: text });
      expect(first.shown).not.toContain('<!channel>');

      const click = await bot.driver.blockAction({
        actionId: ACTION_PAGE,
        value: rerunValue(text, pages - 1),
        message: { ts: '1.1' },
      });
      const last = await bot.answerAt(click.responseUrl ?? '');
      expect(JSON.stringify(last.body.blocks)).toContain(`Page ${pages} of ${pages}`);
      expect(button(last.body, '◀ Previous')).toMatchObject({ value: rerunValue(text, pages - 2) });
    }
    // close() fails the test too if any answer broke a limit; saying so here names the culprit.
    expect(bot.blockKitProblems()).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { GROUP_CALLBACK_ID } from '../../src/views/group.js';
import { PROVISION_CALLBACK_ID } from '../../src/views/provision.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { SlackMessage } from '../support/fake-slack.js';
import { fieldValues, selectValue } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

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

async function openForm(text = 'group add', user: string = USERS.operator) {
  const sent = await bot.driver.command(text, { user, channel: 'CSALES' });
  expect(sent.status).toBe(200);
  return waitFor(() => bot.slack.currentView(GROUP_CALLBACK_ID), { what: 'the group form' });
}

/** The form as Slack sends it: text fields by block_id, and the home location select. */
function form(fields: Record<string, string | undefined>, home: string | null = 'GBR,USA') {
  const text = {
    name: undefined,
    address_line_1: undefined,
    address_line_2: undefined,
    city: undefined,
    country: undefined,
    post_code: undefined,
    description: undefined,
    ...fields,
  };
  return {
    ...fieldValues(text),
    home_location: {
      home_location: home === null ? { type: 'static_select', selected_option: null } : selectValue(home),
    },
  };
}

async function submit(values: Record<string, Record<string, unknown>>, user: string = USERS.operator) {
  const res = await bot.driver.viewSubmission({ user, view: { callback_id: GROUP_CALLBACK_ID, values } });
  expect(res.status).toBe(200);
  return res;
}

const groupWrites = () => bot.sandbox.requestsTo('POST', '/reseller/groups');
const records = () => bot.slack.messages().filter((m) => m.via === 'postMessage');
/** A message's first section as shown (its fallback text drops the _ of names like ACME_LOGISTICS). */
const shown = (m: SlackMessage): string => (m.blocks[0] as { text?: { text?: string } }).text?.text ?? '';

describe('/onsim group add', () => {
  it('opens the form with ONSIM’s group fields, without waiting for ONSIM', async () => {
    const view = await openForm();

    const ids = (view.blocks as { type: string; block_id?: string }[])
      .filter((b) => b.type === 'input')
      .map((b) => b.block_id);
    expect(ids).toEqual([
      'name',
      'home_location',
      'address_line_1',
      'address_line_2',
      'city',
      'post_code',
      'country',
      'description',
    ]);
    expect(JSON.stringify(view.blocks)).toContain('"value":"GBR,USA"');
    expect(JSON.parse(String(view.private_metadata))).toEqual({ channel: 'CSALES' });
    expect(bot.sandbox.requests).toHaveLength(0);
  });

  it('prefills the name typed after "add"', async () => {
    const view = await openForm('group add acme-sales_01');

    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"acme-sales_01"');
  });

  it('adds the group with only the fields filled in, and records it in the channel', async () => {
    await openForm();

    const res = await submit(
      form({
        name: 'acme-sales_01',
        address_line_1: ' Example Building ',
        city: 'Leeds',
        post_code: 'LS1 4AP',
      }),
    );

    expect(res.body).toBe('');
    const record = await waitFor(() => records()[0], { what: 'the channel record' });
    expect(bot.sandbox.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['GET', '/reseller/groups', undefined],
      [
        'POST',
        '/reseller/groups',
        {
          name: 'acme-sales_01',
          address_line_1: 'Example Building',
          home_location: 'GBR,USA',
          city: 'Leeds',
          post_code: 'LS1 4AP',
        },
      ],
    ]);
    expect(record.channel).toBe('CSALES');
    expect(shown(record)).toBe(`👥 Group *acme-sales_01* added by <@${USERS.operator}>`);
    expect(bot.sandbox.state.groups.some((g) => g.name === 'acme-sales_01')).toBe(true);
  });

  it('offers the new group in the provisioning form straight away', async () => {
    await bot.driver.command('provision', { user: USERS.operator });
    await waitFor(
      () => JSON.stringify(bot.slack.currentView(PROVISION_CALLBACK_ID) ?? {}).includes(F.groupName),
      {
        what: 'the provisioning form with its groups',
      },
    );
    await openForm();

    await submit(form({ name: 'acme-sales_01', address_line_1: 'x' }));
    await waitFor(() => records()[0], { what: 'the channel record' });
    await bot.driver.command('provision', { user: USERS.operator });

    await waitFor(
      () =>
        JSON.stringify(bot.slack.currentView(PROVISION_CALLBACK_ID) ?? {}).includes(
          '"value":"acme-sales_01"',
        ),
      { what: 'the provisioning form offering the new group' },
    );
  });

  it.each([
    ['a name with a space', { name: 'acme sales', address_line_1: 'x' }, 'GBR', 'name', 'contains a space'],
    ['a name without a letter', { name: '1234', address_line_1: 'x' }, 'GBR', 'name', 'has no letter'],
    ['a name starting with _', { name: '_acme', address_line_1: 'x' }, 'GBR', 'name', 'starts with “_”'],
    [
      'no first address line',
      { name: 'acme-sales' },
      'GBR',
      'address_line_1',
      'first address line is required',
    ],
    [
      'no home location',
      { name: 'acme-sales', address_line_1: 'x' },
      null,
      'home_location',
      'GBR, USA, or GBR,USA',
    ],
  ])('shows a field error for %s, and adds nothing', async (_case, fields, home, field, message) => {
    await openForm();

    const res = await submit(form(fields, home));

    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { [field]: expect.stringContaining(message) },
    });
    expect(groupWrites()).toHaveLength(0);
  });

  it('shows a duplicate name on the name field (ONSIM compares without case), and adds nothing', async () => {
    await openForm();

    const res = await submit(form({ name: F.groupName.toLowerCase(), address_line_1: 'x' }));

    expect(res.json).toMatchObject({
      response_action: 'errors',
      errors: { name: expect.stringContaining(`A group named “${F.groupName}” already exists`) },
    });
    expect(groupWrites()).toHaveLength(0);
  });

  it('when ONSIM is too slow to check for duplicates, closes the form and reports its 409 to the submitter', async () => {
    await openForm();
    bot.sandbox.setFault({
      latencyMs: 2_500,
      times: 1,
      match: { method: 'GET', pathPrefix: '/reseller/groups' },
    });

    const res = await submit(form({ name: F.groupName, address_line_1: 'x' }));

    expect(res.body).toBe('');
    const told = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postEphemeral'), {
      what: 'the ephemeral answer',
    });
    expect(told.user).toBe(USERS.operator);
    expect(told.channel).toBe('CSALES');
    expect(shown(told)).toContain(`A group named “${F.groupName}” already exists`);
    expect(groupWrites()).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it('tells only the submitter "outcome unknown" on ONSIM 503, and sends the group once', async () => {
    await openForm();
    bot.sandbox.setFault({ status: 503, match: { method: 'POST', pathPrefix: '/reseller/groups' } });

    await submit(form({ name: 'acme-sales_01', address_line_1: 'Example Building' }));

    const told = await waitFor(() => bot.slack.messages().find((m) => m.via === 'postEphemeral'), {
      what: 'the ephemeral answer',
    });
    expect(told.text).toContain('Outcome unknown');
    expect(groupWrites()).toHaveLength(1);
    expect(records()).toHaveLength(0);
  });

  it('says why when Slack will not open the form (an expired trigger)', async () => {
    bot.slack.failNext('views.open', { error: 'expired_trigger_id' });

    const text = await ask('group add');

    expect(text).toContain('Slack would not open the group form (expired_trigger_id)');
    expect(text).toContain('/onsim group add again');
  });

  it('refuses a viewer on the command', async () => {
    const text = await ask('group add', USERS.viewer);

    expect(text).toContain('add group needs the operator role');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('checks the role again on submission: a form opened by an operator cannot be submitted by a viewer', async () => {
    await openForm();

    const res = await submit(form({ name: 'acme-sales_01', address_line_1: 'x' }), USERS.viewer);

    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json)).toContain('needs the *operator* role');
    expect(bot.sandbox.requests).toHaveLength(0);
  });
});

describe('/onsim group without "add"', () => {
  it.each([
    ['group', 'opens a form to add a customer group'],
    ['group remove acme', '`remove` is not something `group` does'],
  ])('answers "%s" with the usage', async (text, expected) => {
    const answer = await ask(text);

    expect(answer).toContain(expected.replace(/`/g, ''));
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });
});

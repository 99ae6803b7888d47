// Slack gives a submission 3 seconds. With Slack's user-group API and ONSIM both slow, every
// form must still be answered in time (Bolt's HTTP receiver answers 404 itself at 3 s, and the
// late ack throws), and each write must reach ONSIM exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import { ACTION_ACCOUNT_SETTINGS } from '../../src/views/action-ids.js';
import { BUNDLE_CALLBACK_ID, FIELD_BUNDLE } from '../../src/views/bundle.js';
import { CEASE_CALLBACK_ID, FIELD_CONFIRM_MPN } from '../../src/views/cease.js';
import { GROUP_CALLBACK_ID } from '../../src/views/group.js';
import { PROVISION_CALLBACK_ID } from '../../src/views/provision.js';
import { SETTINGS_CALLBACK_ID } from '../../src/views/settings.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import type { StoredView } from '../support/fake-slack.js';
import { fieldValues, selectValue } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

type Input = {
  type: string;
  block_id?: string;
  element?: { type: string; action_id: string; initial_value?: string; initial_option?: { value: string } };
};

/** `view.state.values` for a form as shown (initial values kept), with `edits` by block_id. */
function asShown(view: StoredView, edits: Record<string, string>) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of (view.blocks ?? []) as Input[]) {
    const el = b.element;
    if (b.type !== 'input' || !b.block_id || !el) continue;
    const edit = edits[b.block_id];
    if (el.type === 'radio_buttons' || el.type === 'static_select') {
      const chosen = edit ?? el.initial_option?.value;
      values[b.block_id] = {
        [el.action_id]: chosen ? selectValue(chosen) : { type: el.type, selected_option: null },
      };
    } else {
      const value = edit ?? el.initial_value ?? '';
      values[b.block_id] = { [el.action_id]: { type: el.type, value: value === '' ? null : value } };
    }
  }
  return values;
}

const hasInput = (view: StoredView | undefined, blockId: string) =>
  ((view?.blocks ?? []) as Input[]).some((b) => b.type === 'input' && b.block_id === blockId);

function formShowing(b: TestBot, callbackId: string, blockId: string): Promise<StoredView> {
  return waitFor(
    () => {
      const view = b.slack.currentView(callbackId);
      return view && hasInput(view, blockId) ? view : undefined;
    },
    { what: `the ${callbackId} form`, timeoutMs: 10_000 },
  );
}

describe('acks never wait on the network', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('answers every submission in time with Slack groups at 2.5 s and ONSIM at 5 s, and writes each once', async () => {
    const clock = { now: Date.now() };
    const b = await startTestBot({
      env: { ADMINS: 'SADMINS', OPERATORS: 'SOPS' },
      now: () => clock.now,
      onsimTimeoutMs: 20_000,
    });
    bot = b;
    b.slack.setUsergroup('SADMINS', [USERS.admin]);
    b.slack.setUsergroup('SOPS', [USERS.operator]);

    // Forms opened while everything is quick.
    await b.driver.command('cease 07700 900123', { user: USERS.admin });
    const ceaseForm = await formShowing(b, CEASE_CALLBACK_ID, FIELD_CONFIRM_MPN);
    await b.driver.command('bundle 07700 900124', { user: USERS.operator });
    const bundleForm = await formShowing(b, BUNDLE_CALLBACK_ID, FIELD_BUNDLE);
    await b.driver.blockAction({
      user: USERS.operator,
      actionId: ACTION_ACCOUNT_SETTINGS,
      value: F.psimMpn,
      message: { ts: '1.1' },
    });
    const settingsForm = await formShowing(b, SETTINGS_CALLBACK_ID, 'first_name');
    await b.driver.command('provision', { user: USERS.operator });
    const provisionForm = await formShowing(b, PROVISION_CALLBACK_ID, 'group_name');
    await b.driver.command('group add', { user: USERS.operator });
    const groupForm = await formShowing(b, GROUP_CALLBACK_ID, 'name');

    // Six minutes later every cached role is due for a refresh, and both services crawl.
    clock.now += 6 * 60_000;
    b.slack.setLatency('usergroups.users.list', 2_500);
    b.slack.setLatency('users.info', 2_500);
    b.sandbox.setLatency(5_000);

    const submit = (view: StoredView, user: string, values: Record<string, Record<string, unknown>>) =>
      b.driver.viewSubmission({ user, view: { id: view.id, callback_id: String(view.callback_id), values } });
    const answers = await Promise.all([
      submit(ceaseForm, USERS.admin, fieldValues({ [FIELD_CONFIRM_MPN]: '07700 900123' })),
      submit(bundleForm, USERS.operator, asShown(bundleForm, { [FIELD_BUNDLE]: 'UNLIMITED' })),
      submit(settingsForm, USERS.operator, asShown(settingsForm, { first_name: 'Joanna' })),
      submit(
        provisionForm,
        USERS.operator,
        asShown(provisionForm, {
          mpn: '07700 900201',
          first_name: 'Jo',
          last_name: 'Smith',
          email: 'jo@example.com',
          group_name: F.groupName,
          product: String(F.productId),
          mobile_data: '2GB',
          home_location: 'GBR',
        }),
      ),
      submit(
        groupForm,
        USERS.operator,
        asShown(groupForm, { name: 'NEWCO_LTD', address_line_1: 'Example Building', home_location: 'GBR' }),
      ),
    ]);

    // Answered by the bot itself (Bolt answers a late one with 404), and none said "not allowed".
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body).join('\n')).not.toMatch(/needs the|⛔/);

    const writes = () => ({
      cease: b.sandbox.requestsTo('DELETE', '/account').length,
      bundle: b.sandbox.requestsTo('POST', '/account/').filter((r) => r.path.includes('/bundle/')).length,
      settings: b.sandbox.requestsTo('POST', '/account/pbxinfo/').length,
      provision: b.sandbox.requestsTo('POST', '/reseller/provision-onsim').length,
      group: b.sandbox.requestsTo('POST', '/reseller/groups').length,
    });
    const once = { cease: 1, bundle: 1, settings: 1, provision: 1, group: 1 };
    await waitFor(() => JSON.stringify(writes()) === JSON.stringify(once), {
      what: 'each write to reach ONSIM',
      timeoutMs: 30_000,
    });
    expect(await b.drain(60_000)).toBe(true);
    expect(writes()).toEqual(once);
    expect(b.logs.join('\n')).not.toMatch(/not acknowledged|ack\(\) already called|Cannot ack/i);
  }, 90_000);
});

// src/listeners.ts: every id Slack sends finds its handler through the one table, and an id
// nobody answers is still acknowledged (Bolt alone would leave it unanswered: Slack shows an
// error and Bolt logs one after 3 s).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenerTable } from '../src/listeners.js';
import { SANDBOX_FIXTURES as F } from '../src/onsim/sandbox/server.js';
import { ACTION_PAGE, rerunValue } from '../src/views/rerun.js';
import { startTestBot, type TestBot, USERS } from './support/bot.js';
import { waitFor } from './support/wait.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

describe('the listener table', () => {
  it('lists each kind of id once, with a handler for each', () => {
    const table = listenerTable(bot.deps);
    for (const kind of Object.values(table)) {
      for (const [id, handler] of Object.entries(kind)) {
        expect(id).not.toBe('undefined');
        expect(typeof handler).toBe('function');
      }
    }
    expect(Object.keys(table.actions).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(table.submissions).length).toBeGreaterThanOrEqual(8);
  });

  it('routes a button to its handler by action_id', async () => {
    const clicked = await bot.driver.blockAction({
      user: USERS.viewer,
      actionId: ACTION_PAGE,
      value: rerunValue(`account ${F.installedEsimMpn}`, 0),
    });
    expect(clicked.status).toBe(200);
    const answer = await waitFor(() => bot.slack.responsesTo(clicked.responseUrl ?? '')[0], {
      what: 'the page answer',
    });
    expect(JSON.stringify(answer.body)).toContain('Olivia Bennett');
  });

  it('acknowledges a click no handler answers (a link button) at once, and logs no error', async () => {
    const clicked = await bot.driver.blockAction({ user: USERS.viewer, actionId: 'open_in_onsim_portal' });
    expect(clicked.status).toBe(200);
    const shortcut = await bot.driver.shortcut('not_a_shortcut_of_ours', { user: USERS.viewer });
    expect(shortcut.status).toBe(200);
    expect(bot.logs.join('\n')).toContain('no handler for this shortcut');
    expect(bot.logs.join('\n')).not.toContain('not acknowledged');
  });

  it('finds only the ids it lists, never a name every object has', async () => {
    for (const actionId of ['constructor', 'toString', '__proto__']) {
      const clicked = await bot.driver.blockAction({ user: USERS.viewer, actionId });
      expect(clicked.status).toBe(200);
    }
    expect(bot.logs.join('\n')).not.toContain('unhandled error in a Slack listener');
  });
});

// At LOG_LEVEL=debug, Bolt and the Socket Mode client log whole payloads. A settings form's SIP
// password and an activation code typed in lower case must reach no log line, in either mode.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createOnsimClient } from '../../src/onsim/client.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { SETTINGS_CALLBACK_ID } from '../../src/views/settings.js';
import { startTestBot, type TestBot, USERS } from '../support/bot.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { type FakeSocketMode, startFakeSocketMode } from '../support/fake-socket-mode.js';
import { freePort } from '../support/ports.js';
import { fieldValues } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';

const PASSWORD = 'Zq7-Sip-Secret!91';
const CODE = 'lpa:1$smdp.example.com$k3y-0f-th3-3sim-xyz';
const CODE_SECRET = 'k3y-0f-th3-3sim-xyz';

const settingsValues = () => fieldValues({ first_name: 'Jo', pbx_user: 'JO01', pbx_password: PASSWORD });

describe('secrets at LOG_LEVEL=debug', () => {
  let bot: TestBot | undefined;
  let slack: FakeSlack | undefined;
  let socket: FakeSocketMode | undefined;
  let store: Store | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await store?.close();
    await socket?.close();
    await slack?.close();
    await bot?.close();
    bot = slack = socket = store = stop = undefined;
  });

  it('Socket Mode: no incoming envelope or ack body reaches the log', async () => {
    slack = await startFakeSlack();
    socket = await startFakeSocketMode();
    slack.setSocketModeUrl(socket.url);
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_API_URL: slack.apiUrl,
      ADMINS: USERS.admin,
      LOG_LEVEL: 'debug',
      PORT: String(await freePort()),
    });
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (l: string) => void lines.push(l) },
    });
    store = await openStore('sqlite::memory:');
    const onsim = createOnsimClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', logger, timeoutMs: 200 });
    const { app } = createApp({ config, logger, onsim, store, sandbox: false });
    await app.start();
    stop = async () => {
      await app.stop();
    };
    await waitFor(() => socket?.connections(), { what: 'the WebSocket' });

    await socket.send('slash_commands', {
      command: '/onsim',
      text: `qr ${CODE}`,
      user_id: USERS.admin,
      channel_id: 'C123',
      team_id: 'T1',
      response_url: slack.responseUrl('qr'),
      trigger_id: '1.2.3',
    });
    await socket.send('interactive', {
      type: 'view_submission',
      team: { id: 'T1', domain: 'test' },
      user: { id: USERS.admin, username: 'admin', team_id: 'T1' },
      api_app_id: 'A1',
      trigger_id: '1.2.4',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: SETTINGS_CALLBACK_ID,
        private_metadata: '',
        state: { values: settingsValues() },
      },
    });
    await waitFor(() => lines.some((l) => l.includes('Received a message on the WebSocket')), {
      what: 'the envelope to be noted',
    });

    const all = lines.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(CODE_SECRET);
    expect(all).toContain('Received a message on the WebSocket (payload not logged)');
  });

  it('HTTP mode: neither the form nor the typed code reaches the log', async () => {
    bot = await startTestBot({ env: { LOG_LEVEL: 'debug' } });
    const sent = await bot.driver.command(`qr ${CODE}`, { user: USERS.operator });
    await waitFor(() => bot?.slack.responsesTo(sent.responseUrl)[0], { what: 'the QR answer' });
    const submitted = await bot.driver.viewSubmission({
      user: USERS.operator,
      view: { callback_id: SETTINGS_CALLBACK_ID, private_metadata: '', values: settingsValues() },
    });
    expect(submitted.status).toBe(200);
    expect(await bot.drain(10_000)).toBe(true);

    const all = bot.logs.join('\n');
    expect(all).toContain('"level":20');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(CODE_SECRET);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createOnsimClient } from '../src/onsim/client.js';
import { openStore } from '../src/store/index.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

it('connects through apps.connections.open with the app-level token when SLACK_APP_TOKEN is set', async () => {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_APP_TOKEN: 'xapp-test',
    SLACK_API_URL: slack.apiUrl,
  });
  expect(config.slack.mode).toBe('socket');
  const logger = createLogger({ level: 'silent' });
  const store = await openStore('sqlite::memory:');
  const onsim = createOnsimClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', logger });
  const { app } = createApp({ config, logger, onsim, store, sandbox: false });
  // Slack refuses the token, so start-up fails — after asking the right endpoint with the right token.
  slack.failNext('apps.connections.open', { error: 'invalid_auth', times: 10 });
  await expect(app.start()).rejects.toThrow();
  const call = slack.callsTo('apps.connections.open')[0];
  expect(call?.headers.authorization).toBe('Bearer xapp-test');
  await app.stop().catch(() => {});
  await store.close();
});

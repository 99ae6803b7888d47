import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { boltLogger } from '../../src/slack/bolt-logger.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

it("keeps the Web API client's request and result bodies out of the debug log", async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.apiUrl,
    logger: boltLogger(logger),
    retryConfig: { retries: 0 },
  });
  await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'Your SIP password is Zz-9-secret-Qq' });
  expect(lines.some((l) => l.includes('chat.postEphemeral'))).toBe(true); // the call itself is still logged
  expect(lines.join('\n')).not.toContain('Zz-9-secret-Qq');
});

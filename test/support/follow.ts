// The follow poller (eSIM installs, data usage) beside a test bot, built as index.ts builds it:
// its own ONSIM client on the bot's sandbox and its own Web API client on the bot's fake Slack.
import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { createFollowPoller, type FollowPoller, type FollowPollerOptions } from '../../src/follow/poller.js';
import { createOnsimClient } from '../../src/onsim/client.js';
import type { TestBot } from './bot.js';

export type FollowPollerFor = Pick<FollowPollerOptions, 'now'> &
  Partial<Pick<FollowPollerOptions, 'store' | 'esimPollSeconds' | 'esimHours' | 'usagePollSeconds'>>;

/** Defaults: the bot's store, eSIMs every minute for 24 hours, usage every 15 minutes. */
export function followPollerFor(bot: TestBot, opts: FollowPollerFor): FollowPoller {
  return createFollowPoller({
    store: opts.store ?? bot.store,
    onsim: createOnsimClient({
      baseUrl: bot.sandbox.url,
      apiKey: bot.sandbox.apiKey,
      logger: bot.deps.logger,
      timeoutMs: 2_000,
    }),
    slack: new WebClient('xoxb-test', {
      slackApiUrl: bot.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
    logger: bot.deps.logger,
    instanceId: randomUUID(),
    esimPollSeconds: opts.esimPollSeconds ?? 60,
    esimHours: opts.esimHours ?? 24,
    usagePollSeconds: opts.usagePollSeconds ?? 900,
    now: opts.now,
  });
}

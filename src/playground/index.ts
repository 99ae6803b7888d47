/**
 * The playground: a Slack-like workspace in the browser, driven by the real bot through the
 * Slack Web API emulator, so the bot can be tried (and taught) without a Slack app.
 */
import type { Logger } from '../logger.js';
import type { Sandbox } from '../onsim/sandbox/server.js';
import { createSlackEmulator, type SlackEmulator } from '../slack-emulator/emulator.js';
import { loadUiAssets } from './assets.js';
import { CHANNELS, PEOPLE, PLAYGROUND_WORKSPACE } from './people.js';
import { startPlaygroundServer } from './server.js';
import { createSlackClient, type SlackClient } from './slack-client.js';

export { playgroundLine, playgroundSettings } from './settings.js';

export interface Playground {
  url: string;
  /** For the bot's SLACK_API_URL. */
  apiUrl: string;
  slack: SlackEmulator;
  /** Connects the running bot (its receiver's base URL) and sets the workspace up. */
  attachBot(opts: { url: string; signingSecret: string }): Promise<SlackClient>;
  close(): Promise<void>;
}

export async function startPlayground(opts: {
  host: string;
  port: number;
  sandbox: Sandbox | null;
  logger: Logger;
}): Promise<Playground> {
  const slack = createSlackEmulator({ strict: true, workspace: PLAYGROUND_WORKSPACE });
  const server = await startPlaygroundServer({
    host: opts.host,
    port: opts.port,
    slack,
    assets: await loadUiAssets(),
    sandbox: opts.sandbox,
    logger: opts.logger,
  });
  return {
    url: server.url,
    apiUrl: `${server.url}/api/`,
    slack,
    attachBot: async ({ url, signingSecret }) => {
      const client = createSlackClient({
        slack,
        botUrl: `${url}/slack/events`,
        signingSecret,
        onEntry: () => server.broadcast({ type: 'transcript' }),
      });
      server.attachBot({ url, client });
      // #porting watches every port from the start, so a port moved in the sandbox panel alerts there.
      await client.command(PEOPLE.admin.id, CHANNELS.porting.id, '/onsim', 'ports watch');
      return client;
    },
    close: () => server.close(),
  };
}

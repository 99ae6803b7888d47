import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEOPLE } from './people.js';

export interface PlaygroundSettings {
  host: string;
  /** What the bot's configuration is loaded from: the environment plus the playground's own. */
  env: NodeJS.ProcessEnv;
  /** Removed when the playground stops (its workspace lives in memory, so its store does too). */
  scratchDir: string | undefined;
}

const blank = (v: string | undefined) => v === undefined || v.trim() === '';

/**
 * Without Slack credentials, `npm start` runs the playground, unless PLAYGROUND=0 (a server
 * that should explain its missing set-up instead). With SLACK_BOT_TOKEN set: null, nothing changes.
 */
export function playgroundSettings(env: NodeJS.ProcessEnv): PlaygroundSettings | null {
  if (!blank(env.SLACK_BOT_TOKEN) || env.PLAYGROUND?.trim() === '0') return null;
  const scratchDir = blank(env.DATABASE_URL) ? join(tmpdir(), `onsim-playground-${process.pid}`) : undefined;
  return {
    host: blank(env.PLAYGROUND_HOST) ? '127.0.0.1' : (env.PLAYGROUND_HOST ?? '').trim(),
    scratchDir,
    env: {
      ...env,
      SLACK_BOT_TOKEN: 'xoxb-playground',
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      SLACK_APP_TOKEN: '',
      // The emulator's address, known once the playground listens; the port stands in until then.
      SLACK_API_URL: `http://127.0.0.1:${blank(env.PORT) ? 3000 : env.PORT}/api/`,
      ADMINS: PEOPLE.admin.id,
      OPERATORS: PEOPLE.operator.id,
      VIEWERS: PEOPLE.viewer.id,
      DATABASE_URL: scratchDir ? `sqlite:${join(scratchDir, 'playground.db')}` : env.DATABASE_URL,
      // Porting alerts should show up while someone watches, not a minute later.
      PORTING_POLL_SECONDS: blank(env.PORTING_POLL_SECONDS) ? '5' : env.PORTING_POLL_SECONDS,
      // The one line printed is the address; the UI shows the rest.
      LOG_LEVEL: blank(env.LOG_LEVEL) ? 'warn' : env.LOG_LEVEL,
    },
  };
}

export const playgroundLine = (url: string, live: boolean): string =>
  live
    ? `Playground: open ${url} (LIVE ONSIM — real lines, no Slack needed)`
    : `Playground: open ${url} (ONSIM sandbox, no Slack needed)`;

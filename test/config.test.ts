import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'shh-secret-value' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.slack.mode).toBe('http');
    expect(c.slack.port).toBe(3000);
    expect(c.onsim.baseUrl).toBe('https://api.onsimapp.com');
    expect(c.onsim.apiKey).toBeUndefined();
    expect(c.databaseUrl).toBe('sqlite:./data/onsim-bot.sandbox.db');
    expect(c.portingPollSeconds).toBe(60);
    expect(c.defaultCountry).toBe('GB');
    expect(c.qrDelivery).toBe('channel');
    expect(c.admins).toEqual([]);
    expect(c.onsim.maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(c.userReadsPerMinute).toBe(60);
  });

  it('takes the ONSIM answer cap in MiB, and refuses one that is not a whole number of them', () => {
    expect(loadConfig({ ...base, ONSIM_MAX_RESPONSE_MB: '128' }).onsim.maxResponseBytes).toBe(
      128 * 1024 * 1024,
    );
    expect(problemsOf({ ...base, ONSIM_MAX_RESPONSE_MB: '0.5' }).join('\n')).toContain(
      'ONSIM_MAX_RESPONSE_MB',
    );
  });

  it('keeps the real ONSIM in sqlite:./data/onsim-bot.db and the sandbox in a file of its own', () => {
    expect(loadConfig({ ...base, ONSIM_API_KEY: 'key' }).databaseUrl).toBe('sqlite:./data/onsim-bot.db');
    expect(loadConfig({ ...base, ONSIM_API_KEY: ' ' }).databaseUrl).toBe(
      'sqlite:./data/onsim-bot.sandbox.db',
    );
    expect(loadConfig({ ...base, DATABASE_URL: 'sqlite:./mine.db' }).databaseUrl).toBe('sqlite:./mine.db');
  });

  it('switches to Socket Mode when an app token is set, without needing a signing secret', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test' });
    expect(c.slack.mode).toBe('socket');
  });

  it('parses role lists of users and user groups', () => {
    const c = loadConfig({
      ...base,
      ADMINS: 'U01ABC, S02DEF',
      OPERATORS: 'W03GHI',
      VIEWERS: 'S04JKL,U05MNO',
    });
    expect(c.admins).toEqual(['U01ABC', 'S02DEF']);
    expect(c.operators).toEqual(['W03GHI']);
    expect(c.viewers).toEqual(['S04JKL', 'U05MNO']);
    expect(loadConfig(base).viewers).toEqual([]);
    expect(problemsOf({ ...base, VIEWERS: 'everyone' })).toEqual([
      'VIEWERS: expected Slack user ids (U…) or user-group ids (S…)',
    ]);
  });

  it('names each missing Slack credential with where to find it', () => {
    const problems = problemsOf({});
    expect(problems.some((p) => p.startsWith('SLACK_BOT_TOKEN:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SLACK_SIGNING_SECRET:'))).toBe(true);
  });

  it('reports one line per invalid variable, naming it and what it expects', () => {
    const problems = problemsOf({
      ...base,
      PORT: 'eighty',
      PORTING_POLL_SECONDS: '0',
      DATABASE_URL: 'mysql://x',
      ADMINS: 'bob',
      QR_DELIVERY: 'email',
      ONSIM_BASE_URL: 'not a url',
      DEFAULT_COUNTRY: 'XX',
    });
    for (const name of [
      'PORT',
      'PORTING_POLL_SECONDS',
      'DATABASE_URL',
      'ADMINS',
      'QR_DELIVERY',
      'ONSIM_BASE_URL',
      'DEFAULT_COUNTRY',
    ]) {
      expect(problems.filter((p) => p.startsWith(`${name}:`))).toHaveLength(1);
    }
  });

  it('names missing credentials and invalid values together, so one start-up lists every problem', () => {
    const problems = problemsOf({ LOG_LEVEL: 'loud', PORT: '0' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
  });

  it('never prints secret values in its problems', () => {
    const err = (() => {
      try {
        loadConfig({
          SLACK_BOT_TOKEN: 'not-a-token-SECRET123',
          SLACK_SIGNING_SECRET: 'shh',
          SLACK_APP_TOKEN: 'bad-APPSECRET',
        });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).not.toContain('SECRET123');
    expect(err?.message).not.toContain('APPSECRET');
    expect(err?.message).toContain('SLACK_BOT_TOKEN');
  });
});

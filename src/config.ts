import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const COUNTRIES = new Set<string>(getCountries());

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

/** Comma-separated Slack user ids (U…/W…) or user-group ids (S…). */
const idList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  z.array(z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'expected Slack user ids (U…) or user-group ids (S…)')),
);

const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: `expected a whole number between ${min} and ${max}` })
      .int(`expected a whole number between ${min} and ${max}`)
      .min(min, `expected a whole number between ${min} and ${max}`)
      .max(max, `expected a whole number between ${min} and ${max}`)
      .default(fallback),
  );

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.pipe(
    z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(
    z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional(),
  ),
  PORT: intIn(1, 65535, 3000),
  SLACK_API_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://127.0.0.1:9000/api/' })
      .optional(),
  ),
  ONSIM_API_KEY: optionalText,
  ONSIM_BASE_URL: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, message: 'expected an http(s) URL such as https://api.onsimapp.com' })
      .default('https://api.onsimapp.com'),
  ),
  ONSIM_TIMEOUT_MS: intIn(100, 120_000, 10_000),
  // 100,000 ports are about 25 MiB of JSON: the default leaves room for more than that.
  ONSIM_MAX_RESPONSE_MB: intIn(1, 1024, 64),
  USER_READS_PER_MINUTE: intIn(0, 10_000, 60),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(
        /^(sqlite:.+|postgres(ql)?:\/\/.+)$/,
        'expected sqlite:<path> or postgres://user:pass@host:5432/db',
      )
      .optional(),
  ),
  ADMINS: idList,
  OPERATORS: idList,
  VIEWERS: idList,
  PORTING_POLL_SECONDS: intIn(5, 86_400, 60),
  ESIM_FOLLOWUP_POLL_SECONDS: intIn(5, 86_400, 60),
  ESIM_FOLLOWUP_HOURS: intIn(1, 24 * 30, 24),
  USAGE_POLL_SECONDS: intIn(60, 86_400, 900),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  DEFAULT_COUNTRY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() ? v.trim().toUpperCase() : undefined),
    z
      .string()
      .refine((c) => COUNTRIES.has(c), 'expected a two-letter country code such as GB or US')
      .default('GB'),
  ),
  QR_IMAGE_HOSTS: z.preprocess(
    (v) =>
      typeof v === 'string' && v.trim()
        ? v
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean)
        : ['*.amazonaws.com'],
    z.array(
      z
        .string()
        .regex(
          /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/,
          'expected host names such as onsim-qr.s3.eu-west-2.amazonaws.com or *.amazonaws.com',
        ),
    ),
  ),
  /** Hours after which a posted QR image deletes itself; 0 = only when installed or by hand. */
  QR_TTL_HOURS: intIn(0, 24 * 30, 0),
  QR_DELIVERY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase() : undefined),
    z.enum(['channel', 'dm'], { message: 'expected channel or dm' }).default('channel'),
  ),
  AUDIT_CHANNEL: optionalText.pipe(
    z
      .string()
      .regex(/^[CGD][A-Z0-9]{2,}$/, 'expected a channel id such as C0123ABCD')
      .optional(),
  ),
});

/** Where the store lives when DATABASE_URL is unset: the sandbox never shares the real ONSIM's file. */
export const DEFAULT_DATABASE_URL = {
  onsim: 'sqlite:./data/onsim-bot.db',
  sandbox: 'sqlite:./data/onsim-bot.sandbox.db',
} as const;

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
    /** Socket Mode when an app-level token is set, HTTP otherwise. */
    mode: 'socket' | 'http';
    port: number;
  };
  onsim: {
    /** Undefined: run against the built-in sandbox. */
    apiKey: string | undefined;
    baseUrl: string;
    timeoutMs: number;
    /** ONSIM_MAX_RESPONSE_MB in bytes: a larger answer is refused unread. */
    maxResponseBytes: number;
  };
  /** DATABASE_URL, else DEFAULT_DATABASE_URL for the real ONSIM or for the sandbox. */
  databaseUrl: string;
  admins: string[];
  operators: string[];
  /** Empty: every full member of the workspace may look things up (guests never, unless named). */
  viewers: string[];
  portingPollSeconds: number;
  /** eSIM install follow-ups: how often each is checked, and for how long. */
  esimFollowUp: { pollSeconds: number; hours: number };
  /** How often each watched line's data usage is checked. */
  usagePollSeconds: number;
  logLevel: (typeof LOG_LEVELS)[number];
  defaultCountry: CountryCode;
  qrDelivery: 'channel' | 'dm';
  /** A posted QR image is deleted by itself after this many hours; 0 = never by time. */
  qrTtlHours: number;
  /** Hosts ONSIM's QR image links may point at (`*.` = any host under it). */
  qrImageHosts: string[];
  auditChannel: string | undefined;
  /** Look-ups one user may make per minute (a token bucket); 0 = no limit. */
  userReadsPerMinute: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

/** Parses the environment once. Problems name the variable and what it expects, never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems = new Map<string, string>();
  // Missing credentials are named alongside invalid values, so one start-up lists every problem.
  const present = (name: string) => typeof env[name] === 'string' && env[name].trim() !== '';
  if (!present('SLACK_BOT_TOKEN')) {
    problems.set('SLACK_BOT_TOKEN', 'required — the bot token (xoxb-…) from OAuth & Permissions');
  }
  if (!present('SLACK_APP_TOKEN') && !present('SLACK_SIGNING_SECRET')) {
    problems.set(
      'SLACK_SIGNING_SECRET',
      'required in HTTP mode — from Basic Information → App Credentials (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!problems.has(name)) problems.set(name, issue.message);
    }
  }
  if (problems.size > 0 || !parsed.success) {
    throw new ConfigError([...problems].map(([name, problem]) => `${name}: ${problem}`));
  }
  const e = parsed.data;
  const mode = e.SLACK_APP_TOKEN ? 'socket' : 'http';
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN!,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      mode,
      port: e.PORT,
    },
    onsim: {
      apiKey: e.ONSIM_API_KEY,
      baseUrl: e.ONSIM_BASE_URL,
      timeoutMs: e.ONSIM_TIMEOUT_MS,
      maxResponseBytes: e.ONSIM_MAX_RESPONSE_MB * 1024 * 1024,
    },
    databaseUrl:
      e.DATABASE_URL ?? (e.ONSIM_API_KEY ? DEFAULT_DATABASE_URL.onsim : DEFAULT_DATABASE_URL.sandbox),
    admins: e.ADMINS,
    operators: e.OPERATORS,
    viewers: e.VIEWERS,
    portingPollSeconds: e.PORTING_POLL_SECONDS,
    esimFollowUp: { pollSeconds: e.ESIM_FOLLOWUP_POLL_SECONDS, hours: e.ESIM_FOLLOWUP_HOURS },
    usagePollSeconds: e.USAGE_POLL_SECONDS,
    logLevel: e.LOG_LEVEL,
    defaultCountry: e.DEFAULT_COUNTRY as CountryCode,
    qrDelivery: e.QR_DELIVERY,
    qrTtlHours: e.QR_TTL_HOURS,
    qrImageHosts: e.QR_IMAGE_HOSTS,
    auditChannel: e.AUDIT_CHANNEL,
    userReadsPerMinute: e.USER_READS_PER_MINUTE,
  };
}

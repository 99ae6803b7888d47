import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a logged object (depth-limited wildcards). */
const REDACT_PATHS = [
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'pbx_password',
  '*.pbx_password',
  '*.*.pbx_password',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'password',
  '*.password',
];

// Activation codes as people type them too: `lpa:1$…` is the same code.
const ESIM_CODE = /LPA:1\$[^\s"'$]*\$[^\s"',}\]]*/gi;
/** `pbx_password: x`, `"pbx_password":"x"`, `pbx_password=x` inside free text. */
const PBX_PASSWORD_PAIR = /(["']?pbx_?password["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,&{}[\]"']+)/gi;
/** A Slack form's SIP password field as JSON text: `"pbx_password":{"pbx_password":{…"value":"x"}}`. */
const PBX_PASSWORD_FIELD = /(pbx_?password(?:(?!"value")[^}]){0,200}"value"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const SLACK_TOKEN = /\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+/g;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;

/**
 * The configured secrets themselves (ONSIM's API key, Slack's tokens and signing secret): an
 * error body or a message that quotes one is masked wherever it is written. Process-wide, like
 * the environment they come from; values too short to be a key are ignored.
 */
const knownSecrets = new Set<string>();

export function maskTheseValues(values: readonly (string | undefined)[]): void {
  for (const v of values) if (v && v.length >= 8) knownSecrets.add(v);
}

/** Masks secrets inside free text: eSIM codes keep a short prefix, tokens and bearer keys vanish. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out
    .replace(PBX_PASSWORD_FIELD, '$1"[redacted]"')
    .replace(PBX_PASSWORD_PAIR, (_m, key: string) => `${key}[redacted]`)
    .replace(ESIM_CODE, (code) => `${code.slice(0, 10)}…`)
    .replace(SLACK_TOKEN, (t) => `${t.slice(0, 5)}…`)
    .replace(BEARER, 'Bearer [redacted]');
}

/** Keys whose values are secrets wherever they sit in a logged object, however deep. */
const SECRET_KEY =
  /^(authorization|pbx_?password|password|api_?key|token|bot_?token|app_?token|signing_?secret|client_?secret|secret)$/i;

/** Walks a log object: secret keys are blanked, eSIM codes cut short, secrets in any string masked. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  // pino's log formatter runs before its serializers: an Error must become {type, message, stack}
  // here, or its non-enumerable message and stack would be lost (logged as `{}`).
  if (value instanceof Error) return scrub({ ...pino.stdSerializers.err(value) }, depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '') out[k] = '[redacted]';
    else if (/^(esim_?code|activation_?code)$/i.test(k) && typeof v === 'string')
      out[k] = `${v.slice(0, 10)}…`;
    else out[k] = scrub(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Tests pass a destination to capture lines. */
  destination?: DestinationStream;
  pretty?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (!opts.destination && process.stdout.isTTY === true);
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // scrub turns Errors into {type, message, stack}: it serves as the error serializer too.
    serializers: { err: scrub, error: scrub },
    formatters: {
      log: (obj) => scrub(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Also scrub the message string itself.
        const scrubbed = args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<
          typeof method
        >;
        method.apply(this, scrubbed);
      },
    },
  };
  const logger = opts.destination
    ? pino(options, opts.destination)
    : pretty
      ? pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } })
      : pino(options);
  return scrubbingChildren(logger);
}

/**
 * pino writes a child's bindings as they were given: neither the log formatter nor the redact
 * paths see them, so a secret bound as a value (`child({ sub: typedWord })`) would be logged as
 * is. Bindings are scrubbed like any logged object. Children are made from their parent's
 * prototype chain, so setting this once on the root covers every descendant.
 */
function scrubbingChildren(root: Logger): Logger {
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, scrub(bindings) as typeof bindings, options);
  } as Logger['child'];
  return root;
}

// What callers need to decide on is the class: `instanceof` picks the message and the next step.
//
// OnsimError
// ├─ OnsimInputError        the input broke a rule; nothing was sent
// ├─ OnsimApiError          ONSIM answered with an error status
// │  ├─ OnsimNotFoundError, OnsimUnauthorizedError, OnsimRateLimitedError, OnsimServerError
// ├─ OnsimConnectionError   no answer at all (refused, reset, DNS) on a read
// ├─ OnsimTimeoutError      no answer in time on a read
// ├─ OnsimResponseError     an answer we could not understand
// └─ OnsimOutcomeUnknownError  a write whose effect cannot be known (timeout, 5xx, dropped connection)

import { STATUS_CODES } from 'node:http';

export class OnsimError extends Error {
  override name = 'OnsimError';
  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface InputIssue {
  /** The ONSIM field name (also the modal block_id). */
  field: string;
  message: string;
}

export class OnsimInputError extends OnsimError {
  override name = 'OnsimInputError';
  constructor(
    operation: string,
    readonly issues: InputIssue[],
  ) {
    super(operation, issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

export class OnsimApiError extends OnsimError {
  override name = 'OnsimApiError';
  constructor(
    operation: string,
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
  ) {
    super(operation, `${operation}: ONSIM answered ${status} ${title}${detail ? ` — ${detail}` : ''}`);
  }
}

export class OnsimNotFoundError extends OnsimApiError {
  override name = 'OnsimNotFoundError';
}
export class OnsimUnauthorizedError extends OnsimApiError {
  override name = 'OnsimUnauthorizedError';
}
export class OnsimRateLimitedError extends OnsimApiError {
  override name = 'OnsimRateLimitedError';
  constructor(
    operation: string,
    title: string,
    detail: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(operation, 429, title, detail);
  }
}
export class OnsimServerError extends OnsimApiError {
  override name = 'OnsimServerError';
}

export class OnsimConnectionError extends OnsimError {
  override name = 'OnsimConnectionError';
}
export class OnsimTimeoutError extends OnsimError {
  override name = 'OnsimTimeoutError';
}
export class OnsimResponseError extends OnsimError {
  override name = 'OnsimResponseError';
}

/** A write was sent but its effect is unknown: the user must check before retrying. */
export class OnsimOutcomeUnknownError extends OnsimError {
  override name = 'OnsimOutcomeUnknownError';
  constructor(
    operation: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(operation, `${operation}: outcome unknown (${reason})`, options);
  }
}

/**
 * What a channel, the audit trail and its mirror may say about a failure: the operation, the
 * status and its standard phrase. ONSIM's own words (up to 300 characters of its error body,
 * which may quote names, emails or a SIP password) stay in the log and the requester's reply.
 */
export function errorSummary(err: unknown): string {
  const phrase = (status: number) => `${status} ${STATUS_CODES[status] ?? 'error'}`;
  // The reason is the client's own words (src/onsim/http.ts), never ONSIM's body.
  if (err instanceof OnsimOutcomeUnknownError) return `${err.operation}: outcome unknown (${err.reason})`;
  if (err instanceof OnsimApiError) return `${err.operation}: ONSIM answered ${phrase(err.status)}`;
  if (err instanceof OnsimTimeoutError) return `${err.operation}: ONSIM did not answer in time`;
  if (err instanceof OnsimConnectionError) return `${err.operation}: could not reach ONSIM`;
  if (err instanceof OnsimResponseError) return `${err.operation}: ONSIM's answer had an unexpected shape`;
  // Our own checks of the input: the bot's words, about what the user typed.
  if (err instanceof OnsimInputError) return err.message.slice(0, 300);
  if (err instanceof OnsimError) return `${err.operation}: ${err.name}`;
  // Not ONSIM's (a Slack refusal, a bug): its message names no customer data.
  return err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
}

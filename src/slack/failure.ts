import { maskSecrets } from '../logger.js';
import {
  OnsimApiError,
  OnsimConnectionError,
  OnsimInputError,
  OnsimNotFoundError,
  OnsimOutcomeUnknownError,
  OnsimRateLimitedError,
  OnsimResponseError,
  OnsimServerError,
  OnsimTimeoutError,
  OnsimUnauthorizedError,
} from '../onsim/errors.js';
import { esc } from './text.js';

/**
 * Says in words what went wrong and what to do next. `what` names the attempted action for
 * the user ("look up +44 7700 900123", "change the bundle of …").
 */
export function describeFailure(err: unknown, what: string): string {
  const m = (s: string) => esc(maskSecrets(s));
  /** ONSIM's words inside a sentence of ours: without their own closing full stop. */
  const inner = (s: string) => m(s).replace(/[.\s]+$/, '');
  if (err instanceof OnsimOutcomeUnknownError) {
    return `❓ *Outcome unknown* — tried to ${what}, but ${m(err.reason)}. ONSIM may or may not have done it. *Check before retrying* (look the account up first), so nothing happens twice.`;
  }
  if (err instanceof OnsimInputError) {
    return `⚠️ Could not ${what}: ${err.issues.map((i) => m(i.message)).join(' ')}`;
  }
  if (err instanceof OnsimNotFoundError) {
    return `🔍 ONSIM found nothing when asked to ${what}${err.detail ? ` (${inner(err.detail)})` : ''}. Check the number or id and try again.`;
  }
  if (err instanceof OnsimUnauthorizedError) {
    return `🔑 ONSIM refused the bot's API key while trying to ${what}. An administrator should check ONSIM_API_KEY.`;
  }
  if (err instanceof OnsimRateLimitedError) {
    const secs = err.retryAfterSeconds;
    const wait =
      secs === undefined
        ? ' Try again in a minute.'
        : secs < 120
          ? ` Try again in ${Math.max(1, Math.ceil(secs))} s.`
          : ` Try again in ${Math.ceil(secs / 60)} minutes.`;
    return `🚦 ONSIM is rate-limiting requests, so the bot could not ${what}.${wait}`;
  }
  if (err instanceof OnsimServerError) {
    return `🛠️ ONSIM had an internal problem (${err.status} ${inner(err.title)}) while trying to ${what}. Nothing to fix on your side: try again in a few minutes.`;
  }
  if (err instanceof OnsimApiError) {
    return `⚠️ ONSIM refused to ${what}: ${inner(err.title)}${err.detail ? ` — ${inner(err.detail)}` : ''}.`;
  }
  if (err instanceof OnsimTimeoutError) {
    return `⏱️ ONSIM did not answer in time when asked to ${what}. It may be slow or down: try again in a few minutes.`;
  }
  if (err instanceof OnsimConnectionError) {
    return `🔌 The bot could not reach ONSIM to ${what}. Try again in a few minutes; if it persists, tell whoever runs the bot.`;
  }
  if (err instanceof OnsimResponseError) {
    return `⚠️ ONSIM answered in a shape the bot does not understand when asked to ${what}. The details are in the bot's log.`;
  }
  return `⚠️ Something went wrong while trying to ${what}. The details are in the bot's log.`;
}

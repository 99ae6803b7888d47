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
  if (err instanceof OnsimOutcomeUnknownError) {
    return `❓ *Outcome unknown* — tried to ${what}, but ${m(err.reason)}. ONSIM may or may not have done it. *Check before retrying* (look the account up first), so nothing happens twice.`;
  }
  if (err instanceof OnsimInputError) {
    return `⚠️ Could not ${what}: ${err.issues.map((i) => m(i.message)).join(' ')}`;
  }
  if (err instanceof OnsimNotFoundError) {
    return `🔍 ONSIM found nothing when asked to ${what}${err.detail ? ` (${m(err.detail)})` : ''}. Check the number or id and try again.`;
  }
  if (err instanceof OnsimUnauthorizedError) {
    return `🔑 ONSIM refused the bot's API key while trying to ${what}. An administrator should check ONSIM_API_KEY.`;
  }
  if (err instanceof OnsimRateLimitedError) {
    const wait =
      err.retryAfterSeconds !== undefined
        ? ` Try again in ${err.retryAfterSeconds} s.`
        : ' Try again in a minute.';
    return `🚦 ONSIM is rate-limiting requests, so the bot could not ${what}.${wait}`;
  }
  if (err instanceof OnsimServerError) {
    return `🛠️ ONSIM had an internal problem (${err.status} ${m(err.title)}) while trying to ${what}. Nothing to fix on your side: try again in a few minutes.`;
  }
  if (err instanceof OnsimApiError) {
    return `⚠️ ONSIM refused to ${what}: ${m(err.title)}${err.detail ? ` — ${m(err.detail)}` : ''}.`;
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

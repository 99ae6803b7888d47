import { describe, expect, it } from 'vitest';
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
} from '../../src/onsim/errors.js';
import { describeFailure } from '../../src/slack/failure.js';

const WHAT = 'look up the account of +44 7700 900123';

describe('describeFailure', () => {
  it.each([
    [
      'outcome unknown',
      new OnsimOutcomeUnknownError('cease', 'ONSIM did not answer in time'),
      /Outcome unknown.*did not answer in time.*Check before retrying/,
    ],
    [
      'bad input',
      new OnsimInputError('account info', [{ field: 'mpn', message: 'The mpn is required.' }]),
      /Could not look up .*: The mpn is required\.$/,
    ],
    [
      'not found',
      new OnsimNotFoundError('account info', 404, 'Not Found', 'No account with MPN 447700900999.'),
      /found nothing when asked to look up .* \(No account with MPN 447700900999\)\. Check the number/,
    ],
    [
      'a refused API key',
      new OnsimUnauthorizedError('account info', 401, 'Unauthorized', undefined),
      /refused the bot's API key.*ONSIM_API_KEY/,
    ],
    [
      'rate limiting with Retry-After',
      new OnsimRateLimitedError('account info', 'Too Many Requests', undefined, 30),
      /rate-limiting.*Try again in 30 s\./,
    ],
    [
      'rate limiting for long',
      new OnsimRateLimitedError('account info', 'Too Many Requests', undefined, 600),
      /Try again in 10 minutes\./,
    ],
    [
      'a server error',
      new OnsimServerError('account info', 502, 'Bad Gateway', undefined),
      /internal problem \(502 Bad Gateway\).*try again in a few minutes/,
    ],
    [
      'another refusal',
      new OnsimApiError('account info', 409, 'Conflict', 'mpn: 447700900123 is already active.'),
      /ONSIM refused to look up .*: Conflict — mpn: 447700900123 is already active\.$/,
    ],
    ['a timeout', new OnsimTimeoutError('account info', 'slow'), /did not answer in time/],
    ['no connection', new OnsimConnectionError('account info', 'refused'), /could not reach ONSIM/],
    [
      'an unreadable answer',
      new OnsimResponseError('account info', 'bad'),
      /shape the bot does not understand/,
    ],
    ['anything else', new Error('boom'), /Something went wrong.*bot's log/],
  ])('says in words what happened on %s', (_case, err, words) => {
    const text = describeFailure(err, WHAT);
    expect(text).toMatch(words);
    expect(text).not.toMatch(/\.\)|\.\.|\.\s*\./);
  });

  it("escapes ONSIM's words and masks an activation code in them", () => {
    const err = new OnsimApiError(
      'QR generation',
      400,
      '<!channel>',
      'code LPA:1$smdp.example$SECRETMATCHING bad',
    );
    const text = describeFailure(err, 'make a QR code');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('SECRETMATCHING');
  });
});

import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Outcome } from '../guard/perform.js';
import { OnsimApiError } from '../onsim/errors.js';
import { describeFailure } from '../slack/failure.js';
import { type Message, plain } from '../slack/message.js';
import { postRecord } from '../slack/record.js';
import type { Recipient } from '../slack/tell.js';

/**
 * Resolves with the value when `work` settles within `ms`, else with `timedOut`. Only for reads
 * (the work keeps running until the ONSIM client's own timeout; its late result is dropped).
 */
export async function within<T>(
  ms: number,
  work: Promise<T>,
): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ timedOut: false as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

export const isConflict = (err: unknown): err is OnsimApiError =>
  err instanceof OnsimApiError && err.status === 409;

export interface ChangeReport {
  /** The channel's record of a success, mrkdwn, escaped: "📦 Bundle of … changed to UNLIMITED by <@U…>". */
  record: string;
  /** What the requester is told on success, mrkdwn, escaped. */
  done: string;
  /** The attempted change for failure messages: "change the bundle of +44 7700 900123". */
  what: string;
  /** Own words for some failures (e.g. 409 "already exists"); undefined → the usual wording. */
  explain?: (err: unknown) => string | undefined;
}

/**
 * Turns a write's outcome into what people see. Success: the record in the channel, and
 * `answer` gets the confirmation when `confirm` is 'always' (commands: it replaces the working
 * note) or when the record could not be posted. Failure and "outcome unknown" go to `answer`
 * only, in words that never read as success.
 */
export async function reportOutcome<T>(
  deps: AppDeps,
  client: WebClient,
  who: Recipient,
  outcome: Outcome<T>,
  report: ChangeReport,
  answer: (msg: Message) => Promise<void>,
  confirm: 'always' | 'when_unrecorded',
): Promise<void> {
  if (outcome.kind === 'succeeded') {
    const recorded = (await postRecord(deps, client, who.channelId, report.record)) !== null;
    if (recorded && confirm === 'when_unrecorded') return;
    const note =
      recorded || !who.channelId
        ? ''
        : '\n_The bot could not post the record of this change in the channel: invite it there with `/invite`._';
    await answer(plain(`${report.done}${note}`));
    return;
  }
  const text =
    (outcome.kind === 'failed' ? report.explain?.(outcome.error) : undefined) ??
    describeFailure(outcome.error, report.what);
  await answer(plain(text));
}

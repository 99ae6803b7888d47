import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Outcome } from '../guard/perform.js';
import { postRecord } from '../guard/record.js';
import type { Logger } from '../logger.js';
import { OnsimApiError } from '../onsim/errors.js';
import { slackErrorCode } from '../qr/post.js';
import { describeFailure } from '../slack/failure.js';
import { badge, type Message, plain } from '../slack/message.js';
import { esc } from '../slack/text.js';
import { noticeModal } from '../views/confirm.js';

/** Who asked for a change and where: the record of it goes to that channel. */
export interface Requester {
  userId: string;
  channelId: string | null;
}

/**
 * Tells one user something only they see: ephemeral in the channel, or in their DM with the
 * bot when that fails (the bot is not in the channel, or there is none). Never throws.
 */
export async function tellUser(
  deps: AppDeps,
  client: WebClient,
  who: Requester,
  msg: Message,
): Promise<void> {
  const out = badge(msg, deps.sandbox);
  if (who.channelId) {
    try {
      await client.chat.postEphemeral({
        channel: who.channelId,
        user: who.userId,
        text: out.text,
        blocks: out.blocks,
      });
      return;
    } catch (err) {
      deps.logger.warn({ err, channelId: who.channelId }, 'could not answer ephemerally; trying the DM');
    }
  }
  try {
    await client.chat.postMessage({ channel: who.userId, text: out.text, blocks: out.blocks });
  } catch (err) {
    deps.logger.error({ err, userId: who.userId }, 'could not tell the user');
  }
}

/**
 * Opens `loading` at once (a trigger_id lives 3 s), then replaces it with what `fill` builds,
 * however long ONSIM takes (`fill` turns ONSIM failures into a notice view itself). Throws when
 * the modal cannot be opened (the caller answers); a failed update means the user closed the
 * modal meanwhile, and is only logged.
 */
export async function openThenFill(
  client: WebClient,
  log: Logger,
  triggerId: string,
  loading: ModalView,
  fill: () => Promise<ModalView>,
): Promise<void> {
  const opened = await client.views.open({ trigger_id: triggerId, view: loading });
  const viewId = opened.view?.id;
  if (!viewId) throw new Error('views.open answered without a view id');
  let view: ModalView;
  try {
    view = await fill();
  } catch (err) {
    // The builders answer ONSIM failures themselves; this is a bug, but the modal must not spin forever.
    log.error({ err }, 'could not build the modal');
    view = noticeModal(loading.title.text, describeFailure(err, 'fill in this form'));
  }
  try {
    await client.views.update({ view_id: viewId, hash: opened.view?.hash, view });
  } catch (err) {
    log.info({ err, viewId }, 'could not fill the modal; it was probably closed');
  }
}

/**
 * What to tell someone whose form Slack would not open (mostly a trigger that expired or was
 * used already): Slack's reason and what to do, e.g. `again` = "Click the button again.".
 */
export function formNotOpened(err: unknown, form: string, again: string): Message {
  const code = slackErrorCode(err);
  if (code === undefined) return plain(describeFailure(err, `open ${form}`));
  return plain(`⚠️ Slack would not open ${form} (\`${esc(code)}\`). ${again}`);
}

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
  who: Requester,
  outcome: Outcome<T>,
  report: ChangeReport,
  answer: (msg: Message) => Promise<void>,
  confirm: 'always' | 'when_unrecorded',
): Promise<void> {
  if (outcome.kind === 'succeeded') {
    const recorded = await postRecord(deps, client, who.channelId, report.record);
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

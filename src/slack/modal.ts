// Modals that open at once and fill in later: a trigger_id lives 3 s, ONSIM may take longer.
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { plainText, section } from './blocks.js';
import { shownCode, slackErrorCode } from './error-code.js';
import { describeFailure } from './failure.js';
import { type Message, plain } from './message.js';
import { type Recipient, tellUser } from './tell.js';

/** The same modal with one paragraph in place of its blocks, and only "Close". */
function withText(view: ModalView, text: string): ModalView {
  return {
    type: 'modal',
    title: view.title,
    close: plainText('Close'),
    blocks: [section(text)],
  };
}

/**
 * Opens `loading` at once, then replaces it with what `fill` builds, however long ONSIM takes
 * (`fill` turns ONSIM failures into a notice view itself). Throws when the modal cannot be opened
 * (the caller answers); a failed update means the user closed or changed the modal meanwhile,
 * and is only logged.
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
    view = withText(loading, describeFailure(err, 'fill in this form'));
  }
  try {
    await client.views.update({ view_id: viewId, hash: opened.view?.hash, view });
  } catch (err) {
    log.info({ code: slackErrorCode(err), viewId }, 'could not fill the modal; it was probably closed');
  }
}

/**
 * Shows the outcome of a submission in its modal; when the modal is gone (closed meanwhile),
 * tells the user instead, so the outcome of a confirmed step is never lost.
 */
export async function showOutcome(
  deps: { logger: Logger; sandbox: boolean },
  client: WebClient,
  at: { viewId: string; view: ModalView },
  who: Recipient,
  text: string,
): Promise<void> {
  try {
    await client.views.update({ view_id: at.viewId, view: at.view });
  } catch (err) {
    deps.logger.warn({ code: slackErrorCode(err) }, 'could not show the outcome in the modal');
    await tellUser(deps, client, who, plain(text));
  }
}

/**
 * What to tell someone whose form Slack would not open (mostly a trigger that expired or was
 * used already): Slack's reason and what to do, e.g. `again` = "Click the button again.".
 */
export function formNotOpened(err: unknown, form: string, again: string): Message {
  const code = slackErrorCode(err);
  if (code === undefined) return plain(describeFailure(err, `open ${form}`));
  return plain(`⚠️ Slack would not open ${form} (${shownCode(code)}). ${again}`);
}

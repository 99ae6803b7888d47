import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { authorize } from '../guard/authorize.js';
import { cancelConfirmation, claimConfirmation } from '../guard/confirmations.js';
import type { ViewClosedHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { postRecord } from '../slack/record.js';
import { answerClick } from '../slack/respond.js';
import type { Role } from '../slack/roles.js';
import { esc } from '../slack/text.js';
import type { Confirmation } from '../store/types.js';
import { confirmationMetadata } from '../views/confirm.js';

/** A click on a confirm or cancel button of a confirmation message (its value is the confirmation id). */
export interface ConfirmationClick {
  confirmationId: string;
  userId: string;
  channelId: string | null;
  client: WebClient;
  /** The response_url of the message holding the buttons. */
  respond: RespondFn;
}

/** What a confirmed step produced: the message that replaces the confirmation, and the channel record. */
export interface ConfirmedResult {
  reply: Message;
  /** Posted in the confirmation's channel for everyone to see; none when nothing changed. */
  record?: string;
}

/**
 * The one path of every confirm button: the role is checked again, the confirmation is
 * claimed atomically (owner only, live, once), the step runs, and its outcome replaces the
 * confirmation message. Refusals go to the clicker only and leave the confirmation as it was.
 */
export async function confirmClick(
  deps: AppDeps,
  click: ConfirmationClick,
  opts: { need: Role; operation: string; run(c: Confirmation): Promise<ConfirmedResult> },
): Promise<void> {
  const { client, respond, userId, channelId } = click;
  const known = await deps.store.getConfirmation(click.confirmationId);
  const auth = await authorize(
    deps,
    client,
    { userId, channelId },
    opts.need,
    known?.operation ?? opts.operation,
    known?.target ?? null,
  );
  if (!auth.ok) {
    await answerClick(deps, respond, plain(auth.message), false);
    return;
  }
  if (known && known.operation !== opts.operation) {
    // A button of one operation carrying another's confirmation: forged or stale. Never run it.
    await audit(deps, client, {
      userId,
      channelId,
      operation: known.operation,
      target: known.target,
      event: 'refused',
      detail: `${opts.operation} button used on this confirmation`,
    });
    await answerClick(
      deps,
      respond,
      plain(`⛔ This button is not for that confirmation (${esc(known.operation)}). Nothing was done.`),
      false,
    );
    return;
  }
  const claim = await claimConfirmation(deps, client, click.confirmationId, userId, channelId);
  if (!claim.ok) {
    await answerClick(deps, respond, plain(claim.message), claim.final);
    return;
  }
  let result: ConfirmedResult;
  try {
    result = await opts.run(claim.confirmation);
  } catch (err) {
    // Not an ONSIM answer (runConfirmed never throws for those): the step may or may not have run.
    deps.logger.error({ err, confirmation: claim.confirmation.id }, 'confirmed step failed');
    result = {
      reply: plain(
        '❓ *Outcome unknown* — something went wrong in the bot while carrying this out. Check before retrying; the details are in the bot’s log.',
      ),
    };
  }
  await answerClick(deps, respond, result.reply, true);
  if (result.record) await postRecord(deps, client, claim.confirmation.channelId, result.record);
}

/** The Cancel button of a confirmation message: only its requester may cancel it. */
export async function cancelClick(deps: AppDeps, click: ConfirmationClick): Promise<void> {
  const res = await cancelConfirmation(
    deps,
    click.client,
    click.confirmationId,
    click.userId,
    click.channelId,
  );
  if (res.ok) {
    await answerClick(deps, click.respond, plain('↩️ Cancelled. Nothing was done.'), true);
  } else {
    await answerClick(deps, click.respond, plain(res.message), false);
  }
}

/**
 * Closing a confirmation modal cancels its pending confirmation (audited), so the form cannot be
 * replayed later. The modal's private_metadata holds the confirmation id.
 */
export const cancelOnClose =
  (deps: AppDeps): ViewClosedHandler =>
  async ({ ack, body, view, client }) => {
    await ack();
    const id = confirmationMetadata.decode(view.private_metadata);
    if (id) await cancelConfirmation(deps, client, id, body.user.id, null);
  };

// The account card's buttons that open a form (bundle, settings, recording, cease) all do the
// same: acknowledge, check the role again, read the button's value, open the form, and answer the
// clicker when any of that fails.
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import type { Logger } from '../logger.js';
import type { Parsed } from '../onsim/identifiers.js';
import type { ButtonHandler } from '../slack/handlers.js';
import { plain } from '../slack/message.js';
import { formNotOpened } from '../slack/modal.js';
import { answerClick, clickChannel } from '../slack/respond.js';
import type { Role } from '../slack/roles.js';
import { esc } from '../slack/text.js';

export interface CardFormButton<T> {
  need: Role;
  /** Operation name for the role check and the audit trail. */
  operation: string;
  /** e.g. 'the bundle form', for the failure message. */
  form: string;
  /** Reads the button's value (an MPN, an ICCID…). */
  parse: (value: string) => Parsed<T>;
  open: (
    client: WebClient,
    log: Logger,
    at: { triggerId: string; userId: string; channelId: string | null; value: T },
  ) => Promise<void>;
}

export function cardFormButton<T>(deps: AppDeps, spec: CardFormButton<T>): ButtonHandler {
  return async ({ ack, body, action, client, respond }) => {
    await ack();
    const who = { userId: body.user.id, channelId: clickChannel(body) };
    const auth = await authorize(deps, client, who, spec.need, spec.operation, action.value ?? null);
    if (!auth.ok) {
      await answerClick(deps, respond, plain(auth.message));
      return;
    }
    const value = spec.parse(action.value ?? '');
    if (!value.ok) {
      await answerClick(deps, respond, plain(`⚠️ ${esc(value.error)}`));
      return;
    }
    const log = deps.logger.child({ name: action.action_id, user: who.userId });
    try {
      await spec.open(client, log, { triggerId: body.trigger_id, ...who, value: value.value });
    } catch (err) {
      log.error({ err }, `could not open ${spec.form}`);
      await answerClick(deps, respond, formNotOpened(err, spec.form, 'Click the button again.'));
    }
  };
}

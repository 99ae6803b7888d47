import type { CountryCode } from 'libphonenumber-js';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { authorize } from '../guard/authorize.js';
import type { EsimInfo } from '../onsim/account.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, type Parsed, recogniseIdentifier } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { answerClick, clickChannel } from '../slack/respond.js';
import { esc } from '../slack/text.js';
import {
  decodeEsimRef,
  describeEsimRef,
  type EsimRef,
  esimCard,
  esimCodeMessage,
  esimQuery,
  SHOW_CODE_OPERATION,
} from '../views/esim.js';
import { ACTION_SHARE, rerunValue, SLASH_COMMAND } from '../views/rerun.js';
import type { Subcommand } from './types.js';

const USAGE = 'esim <mpn | iccid | i_account>';

const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\`, e.g. \`${SLASH_COMMAND} esim ${EXAMPLES.mpnNational}\`, \`${SLASH_COMMAND} esim ${EXAMPLES.iccid19}\` or \`${SLASH_COMMAND} esim 204122\`.`;

/**
 * Reads what was typed by its shape (the identifiers module's rules). A bare number of 1 to 7 digits
 * cannot be a phone number (E.164 has at least 8), so it is read as an account id.
 */
export function readEsimRef(typed: string, country: CountryCode): Parsed<EsimRef> {
  const accept = /^[1-9]\d{0,6}$/.test(typed.trim())
    ? (['i_account'] as const)
    : (['mpn', 'iccid', 'i_account'] as const);
  const parsed = recogniseIdentifier(typed, accept, country);
  if (!parsed.ok) return parsed;
  const { kind, value } = parsed.value;
  if (kind === 'esim_code') return { ok: false, error: 'An activation code is not accepted here.' };
  return { ok: true, value: { kind, value } };
}

function notFoundText(ref: EsimRef): string {
  const who = esc(describeEsimRef(ref));
  if (ref.kind === 'iccid')
    return `🔍 ONSIM has no active SIM with ${who}. Check the digits on the SIM card.`;
  return `🔍 ONSIM has no account for ${who}. Check it and try again.`;
}

export const esim: Subcommand = {
  name: 'esim',
  usage: USAGE,
  summary: 'eSIM status: ready to install or installed, enabled on device (the code stays hidden)',
  role: 'viewer',
  async run(inv, deps) {
    const typed = inv.args.join(' ');
    if (typed === '') {
      await inv.reply(plain(`Which eSIM? ${usageLine()}`));
      return;
    }
    const ref = readEsimRef(typed, deps.config.defaultCountry);
    if (!ref.ok) {
      await inv.reply(plain(`⚠️ ${esc(ref.error)}\n${usageLine()}`));
      return;
    }
    let info: EsimInfo;
    try {
      info = await deps.onsim.account.getEsim(esimQuery(ref.value));
    } catch (err) {
      if (err instanceof OnsimNotFoundError) {
        await inv.reply(plain(notFoundText(ref.value)));
        return;
      }
      inv.log.warn({ err, ref: ref.value }, 'eSIM look-up failed');
      await inv.reply(plain(describeFailure(err, `look up the eSIM of ${esc(describeEsimRef(ref.value))}`)));
      return;
    }
    // A shared card is seen by everyone: it offers only what any viewer may do.
    const role = inv.shared ? 'viewer' : await deps.roles.roleOf(inv.userId);
    await inv.reply(
      esimCard(info, {
        ref: ref.value,
        role,
        share: { action_id: ACTION_SHARE, value: rerunValue(inv.text, inv.page) },
      }),
    );
  },
};

/** "Show activation code": the code goes to the clicker alone, operators only, and every reveal is audited. */
export const onShowCodeButton = (deps: AppDeps): ButtonHandler => {
  const log = deps.logger.child({ name: 'esim' });
  return async ({ ack, body, action, respond, client }) => {
    await ack();
    const who = { userId: body.user.id, channelId: clickChannel(body) };
    const tell = (msg: Message) => answerClick(deps, respond, msg);

    const ref = decodeEsimRef(action.value);
    if (!ref) {
      log.warn({ value: action.value }, 'show-code button with an unreadable value');
      await tell(plain(`⚠️ This button is out of date. Look the eSIM up again: ${usageLine()}`));
      return;
    }
    const auth = await authorize(deps, client, who, 'operator', SHOW_CODE_OPERATION, ref.value);
    if (!auth.ok) {
      await tell(plain(auth.message));
      return;
    }
    const shown = esc(describeEsimRef(ref));
    let info: EsimInfo;
    try {
      info = await deps.onsim.account.getEsim(esimQuery(ref));
    } catch (err) {
      log.warn({ err, ref }, 'could not fetch the eSIM code');
      await audit(deps, client, {
        ...who,
        operation: SHOW_CODE_OPERATION,
        target: ref.value,
        event: 'failed',
        detail: err instanceof Error ? err.name : 'error',
      });
      await tell(plain(describeFailure(err, `get the activation code of the eSIM of ${shown}`)));
      return;
    }
    if (!info.esim_code) {
      await tell(plain(`❔ ONSIM sent no activation code for the eSIM of ${shown}.`));
      return;
    }
    await tell(esimCodeMessage(ref, info.esim_code));
    await audit(deps, client, {
      ...who,
      operation: SHOW_CODE_OPERATION,
      target: ref.value,
      event: 'succeeded',
      detail: 'shown to the clicker only',
    });
  };
};

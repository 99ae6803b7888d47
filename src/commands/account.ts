import type { AppDeps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { Account } from '../onsim/account.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, formatMpn, recogniseIdentifier } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import { type Message, plain } from '../slack/message.js';
import { esc } from '../slack/text.js';
import { type AccountCardOptions, accountCard } from '../views/account.js';
import { ACTION_SHARE, rerunValue, SLASH_COMMAND } from '../views/rerun.js';
import type { Subcommand } from './types.js';

const USAGE = 'account <mpn>';
const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\`, e.g. \`${SLASH_COMMAND} account ${EXAMPLES.mpn}\` or \`${SLASH_COMMAND} account ${EXAMPLES.mpnNational}\`.`;

/** Where to go instead when what was typed is a valid ICCID or account id rather than a number. */
function elsewhere(typed: string, deps: AppDeps): string {
  const other = recogniseIdentifier(typed, ['iccid', 'i_account'], deps.config.defaultCountry);
  if (!other.ok) return '';
  const what = other.value.kind === 'iccid' ? 'this SIM' : 'this account';
  return `\nFor the eSIM of ${what}: \`${SLASH_COMMAND} esim ${other.value.value}\`.`;
}

/** The account card of one MPN, or what stopped it (no such account, ONSIM failing) as a message. */
export async function cardFor(
  deps: AppDeps,
  mpn: string,
  opts: AccountCardOptions & { log: Logger },
): Promise<Message> {
  const shown = formatMpn(mpn);
  let info: Account;
  try {
    info = await deps.onsim.account.get(mpn);
  } catch (err) {
    if (err instanceof OnsimNotFoundError) {
      return plain(
        `🔍 ONSIM has no account for ${esc(shown)}. Check the number; \`${SLASH_COMMAND} numbers\` lists the numbers in use.`,
      );
    }
    opts.log.warn({ err, mpn }, 'account look-up failed');
    return plain(describeFailure(err, `look up the account of ${esc(shown)}`));
  }
  return accountCard(info, opts);
}

export const account: Subcommand = {
  name: 'account',
  aliases: ['acct'],
  usage: USAGE,
  summary: "A subscriber's line at a glance: SIM, SIP address, services on/off, data used and left",
  role: 'viewer',
  async run(inv, deps) {
    // The number may be typed with spaces: `account 07700 900123`.
    const typed = inv.args.join(' ');
    if (typed === '') {
      await inv.reply(plain(`Which number? ${usageLine()}`));
      return;
    }
    // By shape, with the ONSIM layer's words: an ICCID or account id typed here is named as such.
    const mpn = recogniseIdentifier(typed, ['mpn'], deps.config.defaultCountry);
    if (!mpn.ok) {
      await inv.reply(plain(`⚠️ ${esc(mpn.error)}\n${usageLine()}${elsewhere(typed, deps)}`));
      return;
    }
    // A shared card is seen by everyone: it offers only what any viewer may do.
    const role = inv.shared ? 'viewer' : await deps.roles.roleOf(inv.userId);
    await inv.reply(
      await cardFor(deps, mpn.value.value, {
        role,
        share: { action_id: ACTION_SHARE, value: rerunValue(inv.text, inv.page) },
        log: inv.log,
      }),
    );
  },
};

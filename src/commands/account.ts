import type { Account } from '../onsim/account.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import { EXAMPLES, parseMpn } from '../onsim/identifiers.js';
import { describeFailure } from '../slack/failure.js';
import { plain } from '../slack/message.js';
import { esc, formatMpn } from '../slack/text.js';
import { accountCard } from '../views/account.js';
import { ACTION_SHARE, rerunValue, SLASH_COMMAND } from './rerun.js';
import type { Subcommand } from './types.js';

const USAGE = 'account <mpn>';
const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\`, e.g. \`${SLASH_COMMAND} account ${EXAMPLES.mpn}\` or \`${SLASH_COMMAND} account ${EXAMPLES.mpnNational}\`.`;

export const account: Subcommand = {
  name: 'account',
  aliases: ['acct'],
  usage: USAGE,
  summary: 'One line at a glance: SIM, SIP address, services on/off, data used and left',
  role: 'viewer',
  async run(inv, deps) {
    // The number may be typed with spaces: `account 07700 900123`.
    const typed = inv.args.join(' ');
    if (typed === '') {
      await inv.reply(plain(`Which number? ${usageLine()}`));
      return;
    }
    const mpn = parseMpn(typed, deps.config.defaultCountry);
    if (!mpn.ok) {
      await inv.reply(plain(`⚠️ ${esc(mpn.error)}\n${usageLine()}`));
      return;
    }
    const shown = formatMpn(mpn.value);
    let info: Account;
    try {
      info = await deps.onsim.getAccount(mpn.value);
    } catch (err) {
      if (err instanceof OnsimNotFoundError) {
        await inv.reply(
          plain(
            `🔍 ONSIM has no account for ${esc(shown)}. Check the number; \`${SLASH_COMMAND} numbers\` lists the numbers in use.`,
          ),
        );
        return;
      }
      inv.log.warn({ err, mpn: mpn.value }, 'account look-up failed');
      await inv.reply(plain(describeFailure(err, `look up the account of ${esc(shown)}`)));
      return;
    }
    const role = await deps.roles.roleOf(inv.userId);
    await inv.reply(
      accountCard(info, { role, share: { action_id: ACTION_SHARE, value: rerunValue(inv.text, inv.page) } }),
    );
  },
};

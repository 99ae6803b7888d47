import { perform } from '../guard/perform.js';
import { EXAMPLES, formatMpn } from '../onsim/identifiers.js';
import { plain } from '../slack/message.js';
import { echo, esc, mention } from '../slack/text.js';
import { SLASH_COMMAND } from '../views/rerun.js';
import { isConflict, reportOutcome } from './change-flow.js';
import { typedMpn } from './invocation.js';
import type { Subcommand } from './types.js';

export const NUMBER_OPERATION = 'add number';
const USAGE = 'number add <mpn>';

const usageLine = (): string =>
  `Usage: \`${SLASH_COMMAND} ${esc(USAGE)}\` adds a number to your numbers at ONSIM (reserved until provisioned), e.g. \`${SLASH_COMMAND} number add ${EXAMPLES.mpn}\`. \`${SLASH_COMMAND} numbers\` lists them.`;

export const number: Subcommand = {
  name: 'number',
  usage: USAGE,
  summary: 'Add a number to your numbers at ONSIM',
  role: 'operator',
  operation: NUMBER_OPERATION,
  async run(inv, deps) {
    const [verb, ...rest] = inv.args;
    if (verb?.toLowerCase() !== 'add') {
      const got = verb ? `${echo(verb)} is not something \`number\` does. ` : '';
      await inv.reply(plain(`${got}${usageLine()}`));
      return;
    }
    const mpn = await typedMpn(inv, deps, rest.join(' '), usageLine());
    if (mpn === null) return;
    const shown = esc(formatMpn(mpn.value));
    const who = { userId: inv.userId, channelId: inv.channelId };
    const outcome = await perform(
      deps,
      inv.client,
      { ...who, operation: NUMBER_OPERATION, target: mpn.value },
      () => deps.onsim.numbers.add(mpn.value),
    );
    if (outcome.kind === 'succeeded') inv.log.info({ mpn: mpn.value }, 'number added');
    await reportOutcome(
      deps,
      inv.client,
      who,
      outcome,
      {
        record: `☎️ Number ${shown} added (reserved) by ${mention(inv.userId)}`,
        done: `✅ ${shown} is now one of your numbers at ONSIM, reserved until a SIM is provisioned on it.`,
        what: `add the number ${shown}`,
        explain: (err) =>
          isConflict(err)
            ? `⚠️ ${shown} already exists in your numbers at ONSIM, so nothing was added. \`${SLASH_COMMAND} numbers\` lists them.`
            : undefined,
      },
      (msg) => inv.reply(msg),
      'always',
    );
  },
};

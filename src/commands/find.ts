import { formatMpn } from '../onsim/identifiers.js';
import type { Subscriber } from '../onsim/reseller.js';
import { button } from '../slack/blocks.js';
import { describeFailure } from '../slack/failure.js';
import { plain } from '../slack/message.js';
import { echo, esc } from '../slack/text.js';
import { type ListRow, listMessage } from '../views/list.js';
import { ACTION_OPEN, ACTION_SHARE, rerunValue, SLASH_COMMAND } from '../views/rerun.js';
import { cardFor } from './account.js';
import { MIN_DIGITS, MIN_LETTERS, parseQuery, searchSubscribers } from './search.js';
import type { Subcommand } from './types.js';

const USAGE = 'find <name | email | number | ICCID>';
const EXAMPLES_LINE = `e.g. \`${SLASH_COMMAND} find okafor\`, \`${SLASH_COMMAND} find 07700 900\` or \`${SLASH_COMMAND} find 8944 5301\``;

const fullName = (s: Subscriber): string =>
  [s.first_name, s.last_name].filter((p) => p && p.trim() !== '').join(' ') || '(no name)';

function row(s: Subscriber): ListRow {
  const line = [`*${esc(fullName(s))}*`, esc(formatMpn(s.mpn)), esc(s.group), esc(s.email)]
    .filter(Boolean)
    .join(' · ');
  return s.mpn ? { line, button: button('Open', ACTION_OPEN, rerunValue(`account ${s.mpn}`)) } : line;
}

export const find: Subcommand = {
  name: 'find',
  aliases: ['search'],
  usage: USAGE,
  summary:
    'Find subscribers by part of a name, email, number or ICCID (accents and number forms do not matter)',
  role: 'viewer',
  async run(inv, deps) {
    const typed = inv.args.join(' ');
    const query = parseQuery(typed, deps.config.defaultCountry);
    if (!query.ok) {
      await inv.reply(
        plain(
          query.problem === 'empty'
            ? `What should I look for? Give part of a name, an email, a number or an ICCID, ${EXAMPLES_LINE}.`
            : `⚠️ ${echo(typed)} is too short to search for: give at least ${MIN_LETTERS} letters or ${MIN_DIGITS} digits, ${EXAMPLES_LINE}.`,
        ),
      );
      return;
    }
    let all: Subscriber[];
    try {
      all = await deps.onsim.reseller.listSubscribers({ state: 'PROVISIONED' });
    } catch (err) {
      inv.log.warn({ err }, 'subscriber search failed');
      await inv.reply(plain(describeFailure(err, 'search the subscribers')));
      return;
    }
    const matches = searchSubscribers(query, all);
    const only = matches.length === 1 ? matches[0] : undefined;
    if (only?.mpn) {
      const role = inv.shared ? 'viewer' : await deps.roles.roleOf(inv.userId);
      await inv.reply(
        await cardFor(deps, only.mpn, {
          role,
          share: { action_id: ACTION_SHARE, value: rerunValue(inv.text, inv.page) },
          log: inv.log,
        }),
      );
      return;
    }
    await inv.reply(
      listMessage({
        title: `Subscribers matching “${typed.slice(0, 60)}”`,
        intro: `Searched ${all.length.toLocaleString('en-GB')} subscribers by name, email, number and ICCID.`,
        rows: matches.map(row),
        noun: ['match', 'matches'],
        page: inv.page,
        commandText: inv.text,
        empty: `🔍 No subscriber matches ${echo(typed)}. Try part of a surname, the end of a number, or \`${SLASH_COMMAND} subscribers\` for everyone.`,
      }),
    );
  },
};

// Lists as CSV files: the "Download CSV" button of long lists and `/onsim csv <list …>`. Lists
// hold names and emails, so the file goes to the requester's DM with the bot, never a channel.
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { slowDownNotice } from '../guard/read-permit.js';
import type { Logger } from '../logger.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler } from '../slack/handlers.js';
import { type Message, plain } from '../slack/message.js';
import { answerClick } from '../slack/respond.js';
import { echo, esc } from '../slack/text.js';
import { type CsvTable, toCsv } from '../views/csv.js';
import { catalogueList } from './catalogue.js';
import { groupsList } from './groups.js';
import type { ListCommand } from './list-command.js';
import { plural } from './list-command.js';
import { numbersList } from './numbers.js';
import { portsList } from './ports.js';
import { simsList } from './sims.js';
import { subscribersList } from './subscribers.js';
import { splitArgs } from './typed-text.js';
import type { Subcommand } from './types.js';

const LISTS: Record<string, ListCommand> = {
  catalogue: catalogueList,
  catalog: catalogueList,
  subscribers: subscribersList,
  groups: groupsList,
  sims: simsList,
  numbers: numbersList,
  ports: portsList,
};
const EXAMPLE = '`/onsim csv subscribers ACME_LOGISTICS`';
const LIST_NAMES = Object.values(LISTS)
  .map((l) => l.name)
  .filter((name, i, all) => all.indexOf(name) === i);

const fileName = (stem: string, now: number): string =>
  `onsim-${stem.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80)}-${new Date(now).toISOString().slice(0, 10)}.csv`;

/**
 * Re-runs the list look-up in `text` (e.g. `subscribers ACME_LOGISTICS`), uploads the whole list
 * as CSV into the user's DM with the bot, and returns what to tell the user.
 */
export async function sendCsv(
  deps: AppDeps,
  client: WebClient,
  who: { userId: string; channelId: string | null; log: Logger },
  text: string,
): Promise<Message> {
  const [first = '', ...args] = splitArgs(text);
  const list = LISTS[first.toLowerCase()];
  if (!list) {
    const named = first === '' ? 'Which list?' : `${echo(first)} is not a list.`;
    return plain(
      `⚠️ ${named} CSV files are made of: ${LIST_NAMES.map((n) => `\`${n}\``).join(', ')}, with the same words as the list. Example: ${EXAMPLE}`,
    );
  }

  let table: CsvTable;
  let title: string;
  let stem: string;
  try {
    const outcome = await list.fetch(args, deps);
    if (!outcome.ok) return plain(outcome.message);
    ({ table, title, fileStem: stem } = outcome.list);
  } catch (err) {
    who.log.warn({ err }, `could not ${list.what} for a CSV file`);
    return plain(describeFailure(err, list.what));
  }

  const filename = fileName(stem, deps.now());
  const rows = plural(table.rows.length, ['row', 'rows']);
  // Exports carry customers' names and emails: none leaves without an audit entry first.
  const entry = {
    userId: who.userId,
    channelId: who.channelId,
    operation: 'csv export',
    target: filename,
    detail: `${rows} of /onsim ${text.trim()}`,
  };
  await audit(deps, client, { ...entry, event: 'requested' });
  try {
    const dm = await client.conversations.open({ users: who.userId });
    const channel = dm.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    await client.files.uploadV2({
      channel_id: channel,
      file: Buffer.from(toCsv(table), 'utf8'),
      filename,
      title: `${title} (CSV)`,
      initial_comment: `${esc(title)}: ${rows} (the list of \`/onsim ${esc(text.trim())}\`).`,
    });
  } catch (err) {
    who.log.error({ err, filename }, 'could not upload a CSV file to the requester');
    await audit(deps, client, {
      ...entry,
      event: 'failed',
      detail: `${entry.detail}: Slack did not take the file`,
    });
    return plain(
      '⚠️ Slack did not take the CSV file, so nothing was sent to your DMs. Try again in a minute; if it keeps failing, tell whoever runs the bot.',
    );
  }
  who.log.info({ filename, rows: table.rows.length }, 'CSV file sent to the requester');
  await audit(deps, client, { ...entry, event: 'succeeded' });
  return plain(
    `📄 Sent *${esc(filename)}* (${rows}) to your DMs with me. Lists hold names and emails, so the file goes to you only, not to this channel.`,
  );
}

export const csv: Subcommand = {
  name: 'csv',
  usage: 'csv <list> [words of the list]',
  summary: 'Send a whole list (subscribers, sims, ports, …) to your DMs as a CSV file',
  role: 'viewer',
  async run(inv, deps) {
    // The raw text after `csv`, so quoted words reach the list as typed.
    await inv.reply(await sendCsv(deps, inv.client, inv, inv.text.replace(/^\s*\S+\s*/, '')));
  },
};

/** A long list's "Download CSV" button: value = the list's command text. */
export const onCsvButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    const log = deps.logger.child({ name: 'command', user: body.user.id, sub: 'csv' });
    let msg: Message;
    try {
      const channelId = body.channel?.id ?? body.container?.channel_id ?? null;
      const notice = await slowDownNotice(deps, body.user.id);
      msg = notice
        ? plain(notice)
        : await sendCsv(deps, client, { userId: body.user.id, channelId, log }, action.value ?? '');
    } catch (err) {
      log.error({ err }, 'CSV export failed');
      msg = plain(describeFailure(err, 'make the CSV file'));
    }
    await answerClick(deps, respond, msg);
  };

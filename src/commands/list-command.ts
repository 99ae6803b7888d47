// What every list look-up shares: parse the arguments, ask ONSIM, answer one page of the list
// (src/views/list.ts), and give the same rows to the CSV export (src/commands/csv.ts).
import type { AppDeps } from '../deps.js';
import { describeFailure } from '../slack/failure.js';
import { plain } from '../slack/message.js';
import { esc } from '../slack/text.js';
import type { CsvTable } from '../views/csv.js';
import { type ListRow, listMessage } from '../views/list.js';
import type { Invocation } from './types.js';

/** A fetched list, ready to show a page of or to export. */
export interface ListResult {
  /** Plain text. */
  title: string;
  /** mrkdwn, escaped. */
  intro?: string;
  noun: readonly [string, string];
  rows: ListRow[];
  /** mrkdwn shown when there are no rows. */
  empty: string;
  pageSize?: number;
  table: CsvTable;
  /** File name without date or extension, e.g. `subscribers-ACME_LOGISTICS`. */
  fileStem: string;
}

/** Bad arguments come back as a mrkdwn message (what was wrong, the valid choices, an example). */
export type ListOutcome = { ok: true; list: ListResult } | { ok: false; message: string };

export interface ListCommand {
  /** The subcommand that shows this list, e.g. `subscribers`. */
  name: string;
  /** For failures: "could not <what>", e.g. `list the subscribers`. */
  what: string;
  /** Parses the words after the subcommand and asks ONSIM; ONSIM errors are thrown. */
  fetch(args: string[], deps: AppDeps): Promise<ListOutcome>;
}

/** Runs a list look-up for `/onsim <list> …` and its page and share buttons. */
export async function runList(list: ListCommand, inv: Invocation, deps: AppDeps): Promise<void> {
  let outcome: ListOutcome;
  try {
    outcome = await list.fetch(inv.args, deps);
  } catch (err) {
    inv.log.warn({ err }, `could not ${list.what}`);
    await inv.reply(plain(describeFailure(err, list.what)));
    return;
  }
  if (!outcome.ok) {
    await inv.reply(plain(outcome.message));
    return;
  }
  const { list: result } = outcome;
  await inv.reply(
    listMessage({
      title: result.title,
      intro: result.intro,
      rows: result.rows,
      noun: result.noun,
      page: inv.page,
      pageSize: result.pageSize,
      commandText: inv.text,
      empty: result.empty,
    }),
  );
}

/** `n thing` / `n things`. */
export const plural = (n: number, noun: readonly [string, string]): string =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? noun[0] : noun[1]}`;

/** A word as typed, for messages: one line, short, inside backticks (escaped). */

/** Counts of each value, most frequent first, escaped: "45 eSIM · 15 pSIM". */
export function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([v, n]) => `${n} ${esc(v)}`)
    .join(' · ');
}

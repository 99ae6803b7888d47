// The one paged list every look-up answers with (subscribers, SIMs, ports, …). Pure: data in,
// Block Kit out. Whatever the rows hold, the message stays within Slack's limits: at most 48
// blocks (the reply may add the sandbox badge and "Shared by"), 3000 characters per text, 10
// fields per section, and well under the ~12,000 characters of text Slack accepts per message.
import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { button, context, field, header, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { clip, esc } from '../slack/text.js';
import { shareButton } from './card.js';
import { ACTION_PAGE, ACTION_SHARE, rerunValue } from './rerun.js';

/** "Download CSV": value is the list's command text (e.g. `subscribers ACME_LOGISTICS`). */
export const ACTION_LIST_CSV = 'list_csv';
export const BLOCK_LIST_BACK = 'list_back';
export const BLOCK_LIST_MORE = 'list_more';

/** Rows per page unless a list says otherwise. */
export const LIST_PAGE_SIZE = 15;
/** Lists spanning more pages than this also offer a CSV file. */
export const CSV_AFTER_PAGES = 3;

/** Blocks a list message may use: Slack's 50, less the sandbox badge and the "Shared by" line. */
const MAX_BLOCKS = 48;
/** Characters of row text per page; the rest of Slack's ~12,000 is left for title, intro and buttons. */
const PAGE_TEXT_BUDGET = 9_000;
const SECTION_TEXT_MAX = 3_000;
const LINE_MAX = 1_500;
const FIELDS_MAX = 10;
/** 10 fields of this size fit the page budget, so a fields row always fits a page alone. */
const FIELD_MAX = 800;
const TITLE_MAX = 150;
const INTRO_MAX = 1_500;

/**
 * One row: a mrkdwn line (lines are packed several to a section), a section of mrkdwn
 * fields, or a mrkdwn line with a button beside it (one section per row for both). The caller
 * escapes what it did not write itself.
 */
export type ListRow = string | { fields: readonly string[] } | { line: string; button: Button };

export interface ListSpec {
  /** Plain text, e.g. "Subscribers of ACME_LOGISTICS". */
  title: string;
  /** A mrkdwn line under the title: the filter, a tally, a hint. */
  intro?: string;
  /** Every row of the list, in order; the builder cuts out the page. */
  rows: readonly ListRow[];
  /** What a row is, singular and plural: ['subscriber', 'subscribers']. */
  noun: readonly [string, string];
  /** 0-based; past the end shows the last page. */
  page: number;
  pageSize?: number;
  /** The command text after `/onsim` that produced the list: re-run by the page, share and CSV buttons. */
  commandText: string;
  /** mrkdwn shown when there are no rows. */
  empty?: string;
}

const clipRow = (row: ListRow): ListRow => {
  if (typeof row === 'string') return clip(row || ' ', LINE_MAX);
  if ('line' in row) return { line: clip(row.line || ' ', LINE_MAX), button: row.button };
  return { fields: row.fields.slice(0, FIELDS_MAX).map((f) => clip(f === '' ? ' ' : f, FIELD_MAX)) };
};

/** A button's label and value count towards the page's text too. */
const BUTTON_TEXT = 100;

const rowLength = (row: ListRow): number => {
  if (typeof row === 'string') return row.length + 1;
  if ('line' in row) return row.line.length + BUTTON_TEXT;
  return row.fields.reduce((sum, f) => sum + f.length, 0);
};

/**
 * Packs rows into sections: consecutive lines share a section while it stays under 3000
 * characters; a fields row is a section of its own.
 */
function rowBlocks(rows: readonly ListRow[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let lines: string[] = [];
  let length = 0;
  const flush = () => {
    if (lines.length > 0) blocks.push(section(lines.join('\n')));
    lines = [];
    length = 0;
  };
  for (const row of rows) {
    if (typeof row !== 'string') {
      flush();
      blocks.push(
        'line' in row ? section(row.line, row.button) : { type: 'section', fields: row.fields.map(field) },
      );
      continue;
    }
    if (lines.length > 0 && length + 1 + row.length > SECTION_TEXT_MAX) flush();
    length += (lines.length > 0 ? 1 : 0) + row.length;
    lines.push(row);
  }
  flush();
  return blocks;
}

/**
 * Splits rows into pages of at most `pageSize` rows, ending a page early when its text or
 * block count would break Slack's limits. The same rows always give the same pages, so a
 * page button re-running the look-up lands where it should.
 */
export function paginate(rows: readonly ListRow[], pageSize: number = LIST_PAGE_SIZE): ListRow[][] {
  // Title, intro, page line and the two button rows leave this many blocks for rows.
  const maxRowBlocks = MAX_BLOCKS - 5;
  const size = Math.max(1, Math.floor(pageSize));
  const pages: ListRow[][] = [];
  let page: ListRow[] = [];
  let text = 0;
  let blocks = 0;
  /** Length of the section the next line would join, or null when a new one must start. */
  let open: number | null = null;
  for (const raw of rows) {
    const row = clipRow(raw);
    const length = rowLength(row);
    const joins = typeof row === 'string' && open !== null && open + length <= SECTION_TEXT_MAX;
    const fits = page.length < size && text + length <= PAGE_TEXT_BUDGET && (joins || blocks < maxRowBlocks);
    if (!fits && page.length > 0) {
      pages.push(page);
      page = [];
      text = 0;
      blocks = 0;
      open = null;
    }
    if (typeof row === 'string') {
      if (open !== null && open + length <= SECTION_TEXT_MAX) {
        open += length;
      } else {
        blocks += 1;
        open = length - 1;
      }
    } else {
      blocks += 1;
      open = null;
    }
    page.push(row);
    text += length;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

const count = (n: number, noun: readonly [string, string]): string =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? noun[0] : noun[1]}`;

/**
 * The message for one page of a list: title, optional intro, the page's rows, "Page 2 of 7 ·
 * 143 subscribers", Previous/Next, Share in channel, and Download CSV when the list is long.
 * Previous sits in its own actions block because Slack wants action ids unique per block.
 */
export function listMessage(spec: ListSpec): Message {
  const pages = paginate(spec.rows, spec.pageSize);
  const total = spec.rows.length;
  const last = Math.max(0, pages.length - 1);
  const page = Math.min(Math.max(0, Math.floor(spec.page)), last);
  const title = clip(spec.title.trim() || 'List', TITLE_MAX);

  const blocks: KnownBlock[] = [header(title)];
  if (spec.intro) blocks.push(context(clip(spec.intro, INTRO_MAX)));
  if (total === 0) {
    blocks.push(section(spec.empty || `No ${spec.noun[1]} to show.`));
  } else {
    blocks.push(...rowBlocks(pages[page] ?? []));
  }
  const where = pages.length > 1 ? `Page ${page + 1} of ${pages.length} · ` : '';
  blocks.push(context(`${where}${count(total, spec.noun)}`));

  if (page > 0) {
    const back: ActionsBlock = {
      type: 'actions',
      block_id: BLOCK_LIST_BACK,
      elements: [button('◀ Previous', ACTION_PAGE, rerunValue(spec.commandText, page - 1))],
    };
    blocks.push(back);
  }
  const more: Button[] = [];
  if (page < last) more.push(button('Next ▶', ACTION_PAGE, rerunValue(spec.commandText, page + 1)));
  more.push(shareButton({ action_id: ACTION_SHARE, value: rerunValue(spec.commandText, page) }));
  if (pages.length > CSV_AFTER_PAGES) {
    more.push(button('Download CSV', ACTION_LIST_CSV, clip(spec.commandText, 2000)));
  }
  blocks.push({ type: 'actions', block_id: BLOCK_LIST_MORE, elements: more });

  const text = `${title}: ${where.replace(' · ', ', ').toLowerCase()}${count(total, spec.noun)}`;
  return { text: esc(text), blocks };
}

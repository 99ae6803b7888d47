import { echo, esc } from '../slack/text.js';
import { type ListCommand, runList } from './list-command.js';
import type { Subcommand } from './types.js';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export const groupsList: ListCommand = {
  name: 'groups',
  what: 'list the groups',
  async fetch(args, deps) {
    if (args.length > 0) {
      const adding = args[0]?.toLowerCase() === 'add';
      return {
        ok: false,
        message: adding
          ? '⚠️ `groups` only lists. To add a group, an operator types `/onsim group add`.'
          : `⚠️ \`groups\` takes no arguments (got ${echo(args.join(' '))}). For one group's subscribers: \`/onsim subscribers ACME_LOGISTICS\``,
      };
    }
    const groups = [...(await deps.onsim.reseller.listGroups())].sort((a, b) =>
      a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
    );
    return {
      ok: true,
      list: {
        title: 'Groups',
        intro: '`/onsim subscribers &lt;group&gt;` lists the subscribers of one group.',
        noun: ['group', 'groups'],
        rows: groups.map((g) => {
          const where = [text(g.city), text(g.home_location)].filter(Boolean).map(esc).join(' · ');
          const about = text(g.description);
          return `• *${esc(g.name)}*${about ? ` — ${esc(about)}` : ''}${where ? ` · ${where}` : ''}`;
        }),
        empty: 'ONSIM lists no groups yet. An operator can add one with `/onsim group add`.',
        table: {
          columns: [
            'name',
            'description',
            'home_location',
            'address_line_1',
            'address_line_2',
            'city',
            'post_code',
            'country',
          ],
          rows: groups.map((g) => [
            g.name,
            text(g.description),
            text(g.home_location),
            text(g.address_line_1),
            text(g.address_line_2),
            text(g.city),
            text(g.post_code),
            text(g.country),
          ]),
        },
        fileStem: 'groups',
      },
    };
  },
};

export const groups: Subcommand = {
  name: 'groups',
  usage: 'groups',
  summary: 'Customer groups (companies) at ONSIM',
  role: 'viewer',
  run: (inv, deps) => runList(groupsList, inv, deps),
};

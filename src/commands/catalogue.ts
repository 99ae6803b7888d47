import { echo, esc } from '../slack/text.js';
import { type ListCommand, plural, runList } from './list-command.js';
import type { Subcommand } from './types.js';

export const catalogueList: ListCommand = {
  name: 'catalogue',
  what: 'read the catalogue',
  async fetch(args, deps) {
    if (args.length > 0) {
      return {
        ok: false,
        message: `⚠️ \`catalogue\` takes no arguments (got ${echo(args.join(' '))}). It lists every product and bundle. Example: \`/onsim catalogue\``,
      };
    }
    const { products, bundles } = await deps.onsim.reseller.getCatalogue();
    const about = (description: string | undefined) => (description ? ` — ${esc(description)}` : '');
    return {
      ok: true,
      list: {
        title: 'ONSIM catalogue',
        intro: `${plural(products.length, ['product', 'products'])} (chosen by id when provisioning) · ${plural(bundles.length, ['bundle', 'bundles'])} (changed by SKU with \`/onsim bundle\`)`,
        noun: ['item', 'items'],
        rows: [
          ...products.map((p) => `📦 Product *${esc(p.id)}* · ${esc(p.name)}${about(p.description)}`),
          ...bundles.map((b) => `📶 Bundle \`${esc(b.sku)}\` · ${esc(b.name)}${about(b.description)}`),
        ],
        empty: 'ONSIM lists no products or bundles.',
        table: {
          columns: ['kind', 'id', 'name', 'description'],
          rows: [
            ...products.map((p) => ['product', p.id, p.name, p.description]),
            ...bundles.map((b) => ['bundle', b.sku, b.name, b.description]),
          ],
        },
        fileStem: 'catalogue',
      },
    };
  },
};

export const catalogue: Subcommand = {
  name: 'catalogue',
  aliases: ['catalog'],
  usage: 'catalogue',
  summary: 'Products and bundles you can sell',
  role: 'viewer',
  run: (inv, deps) => runList(catalogueList, inv, deps),
};

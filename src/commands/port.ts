import { OnsimNotFoundError } from '../onsim/errors.js';
import { describeFailure } from '../slack/failure.js';
import { plain } from '../slack/message.js';
import { echo } from '../slack/text.js';
import { portCard } from '../views/port.js';
import type { Subcommand } from './types.js';

const PORT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HINT = '`/onsim ports all` lists every port with its id.';

export const port: Subcommand = {
  name: 'port',
  usage: 'port <id>',
  summary: 'One port: status, numbers, PAC (masked) and dates',
  role: 'viewer',
  async run(inv, deps) {
    const [raw, ...extra] = inv.args;
    if (raw === undefined || extra.length > 0) {
      await inv.reply(plain(`⚠️ Which port? Give one port id, e.g. \`/onsim port 1001\`. ${HINT}`));
      return;
    }
    const id = raw.replace(/^#/, '');
    if (!PORT_ID.test(id)) {
      await inv.reply(
        plain(
          `⚠️ ${echo(raw)} is not a port id: ids are letters and digits, e.g. \`/onsim port 1001\`. ${HINT}`,
        ),
      );
      return;
    }
    try {
      const found = await deps.onsim.porting.get(id);
      await inv.reply(portCard(found, inv.text));
    } catch (err) {
      inv.log.warn({ err, portId: id }, 'port look-up failed');
      const text = describeFailure(err, `look up port ${id}`);
      await inv.reply(plain(err instanceof OnsimNotFoundError ? `${text} ${HINT}` : text));
    }
  },
};

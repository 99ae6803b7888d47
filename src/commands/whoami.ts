import { plain } from '../slack/message.js';
import { aRole } from '../slack/roles.js';
import type { Subcommand } from './types.js';

const WHAT_ROLE_ALLOWS = {
  viewer: 'look things up (accounts, eSIMs, lists, ports, find).',
  operator:
    'look things up, provision, change bundles and settings, post QR codes, refresh eSIM codes, switch recording on, add groups and numbers, and manage porting and data-usage watches.',
  admin: 'do everything operators can, plus cease SIMs, switch recording off, and read the audit trail.',
} as const;

export const whoami: Subcommand = {
  name: 'whoami',
  usage: 'whoami',
  summary: 'Show your role and what it allows',
  role: 'viewer',
  async run(inv, deps) {
    const role = await deps.roles.roleOf(inv.userId);
    await inv.reply(plain(`You are ${aRole(role)}: you can ${WHAT_ROLE_ALLOWS[role]}`));
  },
};

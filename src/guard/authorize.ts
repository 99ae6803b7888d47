import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { aRole, atLeast, type Role } from '../slack/roles.js';
import { audit } from './audit.js';

export type Authorization = { ok: true; role: Role } | { ok: false; role: Role; message: string };

/**
 * The one role check every write goes through — when a command is typed, when a button is
 * clicked, when a modal is submitted. A refusal is audited and says who can help.
 */
export async function authorize(
  deps: AppDeps,
  client: WebClient,
  who: { userId: string; channelId: string | null },
  need: Role,
  operation: string,
  target: string | null,
): Promise<Authorization> {
  const role = await deps.roles.roleOf(who.userId);
  if (atLeast(role, need)) return { ok: true, role };
  const holders = need === 'viewer' ? [] : deps.roles.holders(need);
  await audit(deps, client, {
    userId: who.userId,
    channelId: who.channelId,
    operation,
    target,
    event: 'refused',
    detail: `needs ${need}, caller is ${role}`,
  });
  const ask = holders.length
    ? `Ask one of ${holders.join(', ')}.`
    : `Nobody holds it yet: an administrator sets ${need === 'admin' ? 'ADMINS' : 'OPERATORS'} in the bot's configuration.`;
  return {
    ok: false,
    role,
    message: `⛔ *${operation}* needs the *${need}* role; you are ${aRole(role)}. ${ask}`,
  };
}

import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';

export type Role = 'viewer' | 'operator' | 'admin';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** 'a *viewer*', 'an *operator*', 'an *admin*' (mrkdwn). */
export const aRole = (role: Role): string => `${role === 'viewer' ? 'a' : 'an'} *${role}*`;

export const atLeast = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];

export interface Roles {
  roleOf(userId: string): Promise<Role>;
  /** Who holds a role, as Slack mentions (users `<@U…>`, groups `<!subteam^S…>`), for refusals. */
  holders(role: Exclude<Role, 'viewer'>): string[];
}

/**
 * ADMINS and OPERATORS hold user ids (U…/W…) and user-group ids (S…). Group members are
 * fetched through the Web API and cached for a few minutes; when Slack cannot be asked, the
 * last known membership is used, and with none a group grants nothing (fail closed).
 */
export function createRoles(opts: {
  admins: string[];
  operators: string[];
  client: WebClient;
  logger: Logger;
  cacheMs?: number;
  now?: () => number;
}): Roles {
  const cacheMs = opts.cacheMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { users: Set<string>; at: number }>();
  const log = opts.logger.child({ name: 'roles' });

  async function members(groupId: string): Promise<Set<string>> {
    const hit = cache.get(groupId);
    if (hit && now() - hit.at < cacheMs) return hit.users;
    try {
      const res = await opts.client.usergroups.users.list({ usergroup: groupId });
      const users = new Set(res.users ?? []);
      cache.set(groupId, { users, at: now() });
      return users;
    } catch (err) {
      log.warn({ groupId, err }, 'could not resolve user group; using the last known members');
      return hit?.users ?? new Set();
    }
  }

  async function holds(ids: string[], userId: string): Promise<boolean> {
    if (ids.includes(userId)) return true;
    for (const id of ids) {
      if (id.startsWith('S') && (await members(id)).has(userId)) return true;
    }
    return false;
  }

  return {
    async roleOf(userId) {
      if (await holds(opts.admins, userId)) return 'admin';
      if (await holds(opts.operators, userId)) return 'operator';
      return 'viewer';
    },
    holders(role) {
      // Admins can do everything operators can, so they are listed for both.
      const ids = role === 'admin' ? opts.admins : [...opts.operators, ...opts.admins];
      return [...new Set(ids)].map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`));
    },
  };
}

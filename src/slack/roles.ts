import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';

export type Role = 'viewer' | 'operator' | 'admin';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** 'a *viewer*', 'an *operator*', 'an *admin*' (mrkdwn). */
export const aRole = (role: Role): string => `${role === 'viewer' ? 'a' : 'an'} *${role}*`;

export const atLeast = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];

/** Why someone may not use the bot at all. */
export type Refusal =
  /** A guest account (`is_restricted` / `is_ultra_restricted`) not listed in any role. */
  | 'guest'
  /** A member of another workspace (Slack Connect), not listed in any role. */
  | 'other_team'
  /** VIEWERS is set and does not name them (nor do ADMINS or OPERATORS). */
  | 'not_a_viewer'
  /** Slack could not tell who they are in time: refused until it can (fail closed). */
  | 'unknown';

export type Access = { ok: true; role: Role } | { ok: false; refusal: Refusal };

export interface Roles {
  /** The role for write checks. Says nothing about guests: `access` is the gate to the bot. */
  roleOf(userId: string): Promise<Role>;
  /** Whether the user may use the bot at all, and with which role. */
  access(userId: string): Promise<Access>;
  /** Who holds a role, as Slack mentions (users `<@U…>`, groups `<!subteam^S…>`), for refusals. */
  holders(role: Exclude<Role, 'viewer'>): string[];
  /** Looks up every configured user group now (at start-up), so first requests decide from the cache. */
  warm(): Promise<void>;
}

export interface RolesOptions {
  admins: string[];
  operators: string[];
  /** Empty: every full member of the bot's workspace may look things up. */
  viewers?: string[];
  client: WebClient;
  logger: Logger;
  /** How long a look-up (group members, a user's account) is used before it is asked again. */
  cacheMs?: number;
  /** When Slack cannot be asked, the last answer is used up to this age; after it, nothing is granted. */
  maxStaleMs?: number;
  /** After a failed look-up, Slack is not asked again for this long (a failing API is not hammered). */
  failureCacheMs?: number;
  /** The longest a role decision waits for Slack; past it, the decision is made from what is known. */
  waitMs?: number;
  now?: () => number;
}

interface Account {
  guest: boolean;
  teams: string[];
  deleted: boolean;
  stranger: boolean;
}

const MAX_CACHED_KEYS = 20_000;

/**
 * ADMINS, OPERATORS and VIEWERS hold user ids (U…/W…) and user-group ids (S…). Group members and
 * users' accounts (guest or not, which workspace) come from the Web API and are cached. A decision
 * never waits for Slack longer than `waitMs`; when Slack cannot answer, the last known answer
 * serves up to `maxStaleMs`, and after that a group grants nothing and an unknown user is refused
 * (fail closed).
 */
export function createRoles(opts: RolesOptions): Roles {
  const viewers = opts.viewers ?? [];
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ name: 'roles' });
  const settings = {
    freshMs: opts.cacheMs ?? 5 * 60_000,
    maxStaleMs: opts.maxStaleMs ?? 15 * 60_000,
    failureMs: opts.failureCacheMs ?? 30_000,
    waitMs: opts.waitMs ?? 1_000,
    now,
  };

  const groupMembers = cachedLookup<Set<string>>({
    ...settings,
    log: (key, err) => log.warn({ groupId: key, err }, 'could not resolve user group'),
    load: async (groupId) => {
      const res = await opts.client.usergroups.users.list({ usergroup: groupId });
      return new Set(res.users ?? []);
    },
  });
  const accounts = cachedLookup<Account>({
    ...settings,
    log: (key, err) => log.warn({ userId: key, err }, 'could not look up a Slack user'),
    load: async (userId) => {
      const { user } = await opts.client.users.info({ user: userId });
      if (!user) throw new Error('users.info returned no user');
      return {
        guest: user.is_restricted === true || user.is_ultra_restricted === true,
        teams: [user.team_id, ...(user.enterprise_user?.teams ?? [])].filter((t): t is string => !!t),
        deleted: user.deleted === true,
        stranger: user.is_stranger === true,
      };
    },
  });
  // The bot's own workspace: asked once, kept for the life of the process.
  const ownTeam = cachedLookup<string>({
    ...settings,
    freshMs: Number.POSITIVE_INFINITY,
    maxStaleMs: Number.POSITIVE_INFINITY,
    log: (_key, err) => log.warn({ err }, "could not learn the bot's own workspace (auth.test)"),
    load: async () => {
      const res = await opts.client.auth.test();
      if (!res.team_id) throw new Error('auth.test returned no team_id');
      return res.team_id;
    },
  });

  const groupsIn = (ids: string[]) => ids.filter((id) => id.startsWith('S'));

  async function holds(ids: string[], userId: string): Promise<boolean> {
    if (ids.includes(userId)) return true;
    const groups = await Promise.all(groupsIn(ids).map((id) => groupMembers(id)));
    return groups.some((members) => members?.has(userId) ?? false);
  }

  async function roleOf(userId: string): Promise<Role> {
    const [admin, operator] = await Promise.all([holds(opts.admins, userId), holds(opts.operators, userId)]);
    return admin ? 'admin' : operator ? 'operator' : 'viewer';
  }

  return {
    roleOf,
    async access(userId) {
      const named = [opts.admins, opts.operators, viewers].some((ids) => ids.includes(userId));
      const askAccount = !named && viewers.length === 0;
      // Asked side by side, so the slowest look-up sets the wait, not their sum.
      const [role, listedViewer, account, team] = await Promise.all([
        roleOf(userId),
        viewers.length > 0 ? holds(viewers, userId) : Promise.resolve(false),
        askAccount ? accounts(userId) : Promise.resolve(undefined),
        askAccount ? ownTeam('self') : Promise.resolve(undefined),
      ]);
      if (role !== 'viewer') return { ok: true, role };
      if (viewers.length > 0) {
        return listedViewer ? { ok: true, role } : { ok: false, refusal: 'not_a_viewer' };
      }
      if (!account || !team || account.deleted) return { ok: false, refusal: 'unknown' };
      if (account.guest) return { ok: false, refusal: 'guest' };
      if (account.stranger || !account.teams.includes(team)) return { ok: false, refusal: 'other_team' };
      return { ok: true, role };
    },
    holders(role) {
      // Admins can do everything operators can, so they are listed for both.
      const ids = role === 'admin' ? opts.admins : [...opts.operators, ...opts.admins];
      return [...new Set(ids)].map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`));
    },
    async warm() {
      const groups = new Set(groupsIn([...opts.admins, ...opts.operators, ...viewers]));
      await Promise.all([...[...groups].map((id) => groupMembers(id)), ownTeam('self')]);
    },
  };
}

interface Entry<T> {
  value?: T;
  /** When `value` was fetched. */
  at: number;
  failedAt?: number;
  pending?: Promise<void>;
  /** Wall-clock time after which nobody waits for `pending` any more. */
  waitUntil: number;
}

/**
 * A look-up that answers from its cache while fresh; otherwise asks (one request per key at a
 * time), waits for it at most `waitMs` from when it started, and falls back to the last answer while it is younger than
 * `maxStaleMs`. Undefined means "not known": callers grant nothing on it.
 */
function cachedLookup<T>(o: {
  load: (key: string) => Promise<T>;
  log: (key: string, err: unknown) => void;
  freshMs: number;
  maxStaleMs: number;
  failureMs: number;
  waitMs: number;
  now: () => number;
}): (key: string) => Promise<T | undefined> {
  const entries = new Map<string, Entry<T>>();

  const refresh = (key: string, entry: Entry<T>): Promise<void> => {
    if (!entry.pending) entry.waitUntil = Date.now() + o.waitMs;
    entry.pending ??= o
      .load(key)
      .then(
        (value) => {
          entry.value = value;
          entry.at = o.now();
          entry.failedAt = undefined;
        },
        (err: unknown) => {
          entry.failedAt = o.now();
          o.log(key, err);
        },
      )
      .finally(() => {
        entry.pending = undefined;
      });
    return entry.pending;
  };

  return async (key) => {
    let entry = entries.get(key);
    if (!entry) {
      if (entries.size >= MAX_CACHED_KEYS) entries.delete(entries.keys().next().value ?? '');
      entry = { at: Number.NEGATIVE_INFINITY, waitUntil: 0 };
      entries.set(key, entry);
    }
    if (entry.value !== undefined && o.now() - entry.at < o.freshMs) return entry.value;
    const failedRecently = entry.failedAt !== undefined && o.now() - entry.failedAt < o.failureMs;
    // Every caller waits for the same refresh until the same moment: a request that asks twice
    // (the gate, then a write's own check) waits once.
    if (!failedRecently) {
      const pending = refresh(key, entry);
      await within(pending, entry.waitUntil - Date.now());
    }
    return entry.value !== undefined && o.now() - entry.at < o.maxStaleMs ? entry.value : undefined;
  };
}

/** Waits for `work` at most `ms` (the work itself goes on, and its answer lands in the cache). */
async function within(work: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

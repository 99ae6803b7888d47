// The App Home tab and its buttons. The tab is published at once from what the store knows
// (the porting watcher's last view of the ports, the audit trail, follow-ups and usage watches);
// live ports are asked of ONSIM only when the watcher's view is stale, and a slow or failing
// ONSIM gives a second publish that says what is missing instead of holding up the first.
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { cardFor } from './commands/account.js';
import { within } from './commands/change-flow.js';
import { openProvisionFormOutsideChannel } from './commands/provision.js';
import { parseQuery, searchSubscribers } from './commands/search.js';
import type { AppDeps } from './deps.js';
import { slowDownNotice } from './guard/read-permit.js';
import type { Logger } from './logger.js';
import { OnsimNotFoundError } from './onsim/errors.js';
import { parseIccid, parseMpn } from './onsim/identifiers.js';
import type { Port } from './onsim/porting.js';
import { portFromSnapshot } from './porting/diff.js';
import { KV } from './porting/watcher.js';
import { describeFailure } from './slack/failure.js';
import type { BlockActionHandler, ButtonHandler, EventHandler, SubmissionHandler } from './slack/handlers.js';
import { openThenFill } from './slack/modal.js';
import { atLeast, type Role } from './slack/roles.js';
import { esc } from './slack/text.js';
import { viewSubmission } from './slack/view-submission.js';
import type { AuditEntry } from './store/types.js';
import { loadingModal, noticeModal } from './views/confirm.js';
import {
  ACTION_LOOKUP_QUERY,
  BLOCK_LOOKUP_QUERY,
  HOME_AUDIT_MAX,
  type HomeData,
  type HomeEsim,
  type HomeUsage,
  homeView,
  isOpenPort,
  type Known,
  LOOKUP_ANSWER_METADATA,
  lookupAnswerModal,
  lookupModal,
  matchesBlocks,
  OPEN_PORT_STATES,
  slackTime,
} from './views/home.js';
import { BLOCK_PORT_ACTIONS, portCard } from './views/port.js';

/** How long the first publish may wait for ONSIM's live ports before going out without them. */
export const HOME_LIVE_WAIT_MS = 1_500;
const LOOKUP_MATCHES_MAX = 20;

/** Data for the dashboard from elsewhere (eSIM follow-ups, usage watches), each allowed to fail. */
export interface HomeSources {
  esims?: (deps: AppDeps) => Promise<HomeEsim[]>;
  usage?: (deps: AppDeps) => Promise<HomeUsage[]>;
}

async function known<T>(read: () => Promise<readonly T[]>, what: string, log: Logger): Promise<Known<T>> {
  try {
    return { items: await read() };
  } catch (err) {
    log.warn({ err, what }, 'home: could not read from the store');
    return {
      items: [],
      missing: `Could not read ${what} from the bot's store just now; reopen the tab to try again.`,
    };
  }
}

/** The porting watcher's view of the ports, when it is recent enough to show as is. */
async function watchedPorts(deps: AppDeps): Promise<{ ports: Port[]; at: number } | null> {
  const [snapshots, lastPoll] = await Promise.all([
    deps.store.getPortSnapshots({ statuses: OPEN_PORT_STATES }),
    deps.store.getKv(KV.lastPollAt),
  ]);
  const at = lastPoll === null ? Number.NaN : Number(lastPoll);
  const fresh = Number.isFinite(at) && deps.now() - at <= 2 * deps.config.portingPollSeconds * 1000 + 30_000;
  if (!fresh) return null;
  return { ports: snapshots.map(portFromSnapshot).filter(isOpenPort), at };
}

/** Publishes the Home tab of one user; the latest opening wins over a slower earlier one. */
export function createHomePublisher(deps: AppDeps, sources: HomeSources = {}) {
  const generation = new Map<string, number>();

  return async function publishHome(client: WebClient, userId: string): Promise<void> {
    const mine = (generation.get(userId) ?? 0) + 1;
    generation.set(userId, mine);
    const log = deps.logger.child({ name: 'home', user: userId });
    const role: Role = await deps.roles.roleOf(userId);
    const everyone = atLeast(role, 'admin');

    const [audit, esims, usage, watched] = await Promise.all([
      known<AuditEntry>(
        () => deps.store.listAudit({ limit: HOME_AUDIT_MAX, ...(everyone ? {} : { userId }) }),
        'the audit trail',
        log,
      ),
      sources.esims ? known(() => sources.esims!(deps), 'the eSIM follow-ups', log) : undefined,
      sources.usage ? known(() => sources.usage!(deps), 'the usage watches', log) : undefined,
      watchedPorts(deps).catch((err: unknown) => {
        log.warn({ err }, 'home: could not read the port snapshots');
        return null;
      }),
    ]);
    const base = (ports: Known<Port>): HomeData => ({
      role,
      sandbox: deps.sandbox,
      ports,
      audit: { ...audit, everyone },
      ...(esims ? { esims } : {}),
      ...(usage ? { usage } : {}),
    });
    const publish = async (ports: Known<Port>) => {
      if (generation.get(userId) !== mine) return;
      await client.views.publish({ user_id: userId, view: homeView(base(ports)) });
    };

    if (watched) {
      await publish({
        items: watched.ports,
        source: `Ports as the porting watcher saw them at ${slackTime(watched.at)} (it checks every ${deps.config.portingPollSeconds} s).`,
      });
      return;
    }
    const live = deps.onsim.porting.list('ALL').then(
      (ports) => ({ ok: true as const, ports }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const quick = await within(HOME_LIVE_WAIT_MS, live);
    if (quick.timedOut) {
      await publish({
        items: [],
        missing: '⏳ Asking ONSIM for the open ports… ONSIM is slow to answer; this tab updates by itself.',
      });
    }
    const result = quick.timedOut ? await live : quick.value;
    if (result.ok) {
      await publish({
        items: result.ports.filter(isOpenPort),
        source: `Ports live from ONSIM at ${slackTime(deps.now())}.`,
      });
      return;
    }
    log.warn({ err: result.err }, 'home: ONSIM did not list the ports');
    await publish({
      items: [],
      missing: `Open ports are missing: ${describeFailure(result.err, 'list the ports')} Everything else on this tab comes from the bot's own store.`,
    });
  };
}

export type PublishHome = ReturnType<typeof createHomePublisher>;

/** Where the dashboard's follow-up sections come from: the follow poller's store. */
const HOME_SOURCES: HomeSources = {
  esims: async (deps) =>
    (await deps.store.listEsimFollowUps(['waiting'], 50)).map((f) => ({
      mpn: f.mpn,
      iccid: f.iccid ?? f.iAccount ?? '',
      startedAt: f.startedAt,
      channelId: f.channelId.startsWith('D') ? null : f.channelId,
    })),
  usage: async (deps) =>
    (await deps.store.listUsageWatches())
      .filter((w) => w.lastPercent !== null && w.lastPercent >= w.threshold)
      .map((w) => ({
        mpn: w.mpn,
        percent: w.lastPercent ?? 0,
        bundle: w.lastBundle,
        channelId: w.channelId,
      })),
};

// ---- Listeners -----------------------------------------------------------------------------

/** One publisher per app, so a later opening of the tab wins over a slower earlier one. */
const publishers = new WeakMap<AppDeps, PublishHome>();
const publisherOf = (deps: AppDeps): PublishHome => {
  let p = publishers.get(deps);
  if (!p) {
    p = createHomePublisher(deps, HOME_SOURCES);
    publishers.set(deps, p);
  }
  return p;
};

/** The Home tab: the dashboard, rebuilt each time it is opened. */
export const onHomeOpened =
  (deps: AppDeps): EventHandler<'app_home_opened'> =>
  async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await publisherOf(deps)(client, event.user);
    } catch (err) {
      deps.logger.error({ err, user: event.user }, 'could not publish the Home tab');
    }
  };

/** The Home tab's "Provision a SIM" button. */
export const onHomeProvision =
  (deps: AppDeps): BlockActionHandler =>
  async ({ ack, body, client }) => {
    await ack();
    await openProvisionFormOutsideChannel(deps, client, {
      userId: body.user.id,
      triggerId: body.trigger_id,
      source: 'home',
    });
  };

/** An open port's "Details" button: the port card in a modal. */
export const onHomePortDetails =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? '';
    const log = deps.logger.child({ name: 'home', user: body.user.id, portId: id });
    const title = `Port ${id}`.slice(0, 24);
    try {
      await openThenFill(
        client,
        log,
        body.trigger_id,
        loadingModal(title, 'Asking ONSIM for this port…'),
        async () => {
          const notice = await slowDownNotice(deps, body.user.id);
          if (notice) return noticeModal(title, notice);
          try {
            const card = portCard(await deps.onsim.porting.get(id), `port ${id}`);
            const blocks = card.blocks.filter((b) => b.block_id !== BLOCK_PORT_ACTIONS);
            const [first, ...more] = blocks;
            const text = first?.type === 'section' && first.text ? first.text.text : card.text;
            return noticeModal(title, text, first?.type === 'section' ? more : blocks);
          } catch (err) {
            log.warn({ err }, 'home: port look-up failed');
            return noticeModal(title, describeFailure(err, `look up port ${esc(id)}`));
          }
        },
      );
    } catch (err) {
      log.warn({ err }, 'home: could not open the port details');
    }
  };

/** The Home tab's "Look up an account" button. */
export const onHomeLookup =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, client }) => {
    await ack();
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: lookupModal() });
    } catch (err) {
      deps.logger.warn({ err, user: body.user.id }, 'home: could not open the look-up form');
    }
  };

const note = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: text.slice(0, 3000) },
});

/** What the look-up modal shows for a query: a card (without write buttons), matches, or why not. */
async function lookupAnswer(
  deps: AppDeps,
  query: string,
  userId: string,
  log: Logger,
): Promise<KnownBlock[]> {
  const notice = await slowDownNotice(deps, userId);
  if (notice) return [note(notice)];
  const country = deps.config.defaultCountry;
  const cardOf = async (mpn: string) => {
    const card = await cardFor(deps, mpn, { role: 'viewer', log });
    return [
      ...card.blocks,
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `QR, bundle, settings: \`/onsim account ${mpn}\` in a channel.` }],
      } as KnownBlock,
    ];
  };
  const digits = query.replace(/\D/g, '');
  const iccid =
    /^[\d\s-]+$/.test(query) && digits.startsWith('89') && digits.length >= 19 ? parseIccid(digits) : null;
  try {
    if (iccid?.ok) {
      const subscribers = await deps.onsim.reseller.listSubscribers({ state: 'PROVISIONED' });
      const found = subscribers.find((s) => s.iccid?.replace(/^ONSIM/i, '') === iccid.value);
      if (!found?.mpn) return [note(`🔍 No subscriber has the SIM \`${esc(iccid.value)}\`.`)];
      return await cardOf(found.mpn);
    }
    const mpn = /^[+\d\s().-]+$/.test(query) ? parseMpn(query, country) : null;
    if (mpn?.ok) return await cardOf(mpn.value);
    const q = parseQuery(query, country);
    if (!q.ok) return [note(`⚠️ Give a number, an ICCID or at least 2 letters of a name.`)];
    const matches = searchSubscribers(q, await deps.onsim.reseller.listSubscribers({ state: 'PROVISIONED' }));
    const only = matches.length === 1 ? matches[0] : undefined;
    if (only?.mpn) return await cardOf(only.mpn);
    if (matches.length === 0) return [note(`🔍 No subscriber matches “${esc(query)}”.`)];
    const listed = matches
      .filter((m): m is typeof m & { mpn: string } => typeof m.mpn === 'string')
      .slice(0, LOOKUP_MATCHES_MAX)
      .map((m) => ({
        mpn: m.mpn,
        name: [m.first_name, m.last_name].filter(Boolean).join(' ') || '(no name)',
        group: m.group,
      }));
    return matchesBlocks(listed, matches.length);
  } catch (err) {
    if (err instanceof OnsimNotFoundError) return [note(`🔍 ONSIM has no account for that.`)];
    log.warn({ err }, 'home: look-up failed');
    return [note(describeFailure(err, 'look this up'))];
  }
}

/** The look-up modal's submission: answered in the modal itself. */
export const onHomeLookupSubmit = (deps: AppDeps): SubmissionHandler =>
  viewSubmission(deps, async ({ ack, body, view, client }) => {
    const query = (view.state.values[BLOCK_LOOKUP_QUERY]?.[ACTION_LOOKUP_QUERY]?.value ?? '').trim();
    const answering = view.private_metadata === LOOKUP_ANSWER_METADATA;
    if (query === '') {
      if (answering) return void (await ack());
      await ack({
        response_action: 'errors',
        errors: {
          [BLOCK_LOOKUP_QUERY]: 'Type a number (07700 900123), an ICCID (8944…) or part of a name (Bennett).',
        },
      });
      return;
    }
    await ack({
      response_action: 'update',
      view: lookupAnswerModal([note(`⏳ Looking up “${esc(query.slice(0, 100))}”…`)]),
    });
    const log = deps.logger.child({ name: 'home', user: body.user.id });
    const blocks = await lookupAnswer(deps, query, body.user.id, log);
    try {
      await client.views.update({ view_id: view.id, view: lookupAnswerModal(blocks) });
    } catch (err) {
      log.info({ err }, 'home: could not show the look-up; the modal was probably closed');
    }
  });

/** "Open" on one of the look-up modal's matches. */
export const onHomeLookupOpen =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, client }) => {
    await ack();
    const log = deps.logger.child({ name: 'home', user: body.user.id });
    if (!body.view) return;
    const blocks = await lookupAnswer(deps, action.value ?? '', body.user.id, log);
    try {
      await client.views.update({ view_id: body.view.id, view: lookupAnswerModal(blocks) });
    } catch (err) {
      log.info({ err }, 'home: could not show the account; the modal was probably closed');
    }
  };

import type { BlockAction, ButtonAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { AppDeps } from '../deps.js';
import { audit } from '../guard/audit.js';
import { authorize } from '../guard/authorize.js';
import { slowDownNotice } from '../guard/read-permit.js';
import { recogniseIdentifier } from '../onsim/identifiers.js';
import { context, header, section } from '../slack/blocks.js';
import { describeFailure } from '../slack/failure.js';
import type { ButtonHandler, CommandHandler } from '../slack/handlers.js';
import { badge, type Message, plain } from '../slack/message.js';
import { aRole, atLeast, type Role } from '../slack/roles.js';
import { echo, esc, mention } from '../slack/text.js';
import { parseRerunValue, SLASH_COMMAND } from '../views/rerun.js';
import { SUBCOMMANDS } from './index.js';
import { closest } from './suggest.js';
import { splitArgs } from './typed-text.js';
import type { Invocation, Subcommand } from './types.js';

/** Viewer subcommands that never call ONSIM, so the per-user read limit leaves them alone. */
const ASKS_NO_ONSIM: ReadonlySet<string> = new Set(['help', 'whoami']);

export { ACTION_OPEN, ACTION_PAGE, ACTION_SHARE, rerunValue, SLASH_COMMAND } from '../views/rerun.js';
export { cleanSlackText, splitArgs } from './typed-text.js';

/** How long a command may take before the user is told the bot is still working. */
const WORKING_NOTE_AFTER_MS = 1500;

function lookup(name: string): Subcommand | undefined {
  const n = name.toLowerCase();
  return SUBCOMMANDS.find((c) => c.name === n || c.aliases?.includes(n));
}

/** Who holds a role, as mentions, clipped so a long list of people cannot swell the help. */
function holdersLine(mentions: string[]): string {
  const shown = mentions.slice(0, 5).join(', ');
  return mentions.length > 5 ? `${shown} and ${mentions.length - 5} more` : shown;
}

/**
 * `/onsim help`: what the caller's role allows, then the commands of the roles above it by name
 * (so a viewer learns that provisioning, QR codes and ceasing exist) and who holds those roles.
 */
export function helpMessage(role: Role, holders: (role: Exclude<Role, 'viewer'>) => string[]): Message {
  const visible = SUBCOMMANDS.filter((c) => atLeast(role, c.role));
  const lines = visible.map((c) => `• \`${SLASH_COMMAND} ${esc(c.usage)}\` — ${esc(c.summary)}`);
  const higher = (['operator', 'admin'] as const)
    .filter((r) => !atLeast(role, r))
    .map((r) => {
      const names = SUBCOMMANDS.filter((c) => c.role === r).map((c) => `\`${esc(c.name)}\``);
      const who = holdersLine(holders(r));
      return names.length === 0
        ? ''
        : `*Need the ${r} role:* ${names.join(', ')}${who ? ` — ${r}s: ${who}` : ''}`;
    })
    .filter(Boolean);
  const blocks: KnownBlock[] = [header('ONSIM bot — commands'), section(lines.join('\n'))];
  if (higher.length > 0) blocks.push(section(higher.join('\n')));
  blocks.push(
    context(
      `You are ${aRole(role)}.` +
        (higher.length > 0
          ? ` For a higher role, ask an admin to add you to ${role === 'viewer' ? 'OPERATORS' : 'ADMINS'}.`
          : '') +
        ' MPNs can be typed as +44 7700 900123 or 07700 900123.',
    ),
  );
  return { text: `ONSIM bot commands: ${visible.map((c) => c.name).join(', ')}`, blocks };
}

/** Builds the `reply` of an invocation around a response_url. */
function replier(respond: RespondFn, deps: AppDeps, opts: { replaceOriginal: boolean; inChannel?: string }) {
  let replace = opts.replaceOriginal;
  return async (msg: Message) => {
    let out = badge(msg, deps.sandbox);
    if (opts.inChannel) {
      const sharedBy = context(`Shared by ${mention(opts.inChannel)}`);
      out = { text: out.text, blocks: [...out.blocks.slice(0, 49), sharedBy] };
    }
    const args: RespondArguments = {
      text: out.text,
      blocks: out.blocks,
      response_type: opts.inChannel ? 'in_channel' : 'ephemeral',
      replace_original: replace,
    };
    await respond(args);
    replace = true;
  };
}

async function dispatch(
  deps: AppDeps,
  base: Omit<Invocation, 'args' | 'log' | 'answeringInModal'>,
  markWorking: (() => Promise<void>) | null,
): Promise<void> {
  const [first = '', ...args] = splitArgs(base.text);
  const log = deps.logger.child({ name: 'command', user: base.userId, sub: first });
  if (first === '' || first.toLowerCase() === 'help') {
    deps.metrics.commands.inc({ subcommand: 'help', outcome: 'answered' });
    await base.reply(helpMessage(await deps.roles.roleOf(base.userId), (r) => deps.roles.holders(r)));
    return;
  }
  const sub = lookup(first);
  if (!sub) {
    // Never the typed word as a label: any text would do, and the series would never end.
    deps.metrics.commands.inc({ subcommand: 'unknown', outcome: 'refused' });
    const names = SUBCOMMANDS.map((c) => c.name);
    const guess = closest(first, names);
    await base.reply(
      plain(
        `🤔 ${echo(first)} is not an /onsim command.${guess ? ` Did you mean \`${guess}\`?` : ''} Type \`${SLASH_COMMAND} help\` for the list.`,
      ),
    );
    return;
  }
  let timer: NodeJS.Timeout | null = null;
  const inv: Invocation = {
    ...base,
    args,
    log,
    answeringInModal: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  if (sub.role !== 'viewer') {
    const auth = await authorize(
      deps,
      base.client,
      { userId: base.userId, channelId: base.channelId },
      sub.role,
      sub.operation ?? sub.name,
      guessTarget(args, deps.config.defaultCountry),
    );
    if (!auth.ok) {
      deps.metrics.commands.inc({ subcommand: sub.name, outcome: 'refused' });
      await base.reply(plain(auth.message));
      return;
    }
  }
  // Only look-ups that ask ONSIM are limited (help/whoami never do), and only viewers' (see guard/read-permit).
  if (sub.role === 'viewer' && !ASKS_NO_ONSIM.has(sub.name)) {
    const notice = await slowDownNotice(deps, base.userId);
    if (notice) {
      deps.metrics.commands.inc({ subcommand: sub.name, outcome: 'refused' });
      await base.reply(plain(notice));
      return;
    }
  }
  if (markWorking) timer = setTimeout(() => void markWorking().catch(() => {}), WORKING_NOTE_AFTER_MS);
  try {
    await sub.run(inv, deps);
    deps.metrics.commands.inc({ subcommand: sub.name, outcome: 'answered' });
  } catch (err) {
    deps.metrics.commands.inc({ subcommand: sub.name, outcome: 'failed' });
    log.error({ err }, 'command failed');
    await inv.reply(plain(describeFailure(err, `run \`${esc(sub.name)}\``)));
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** `/onsim …`: routed to its subcommand, answered through the command's response_url. */
export const onSlashCommand =
  (deps: AppDeps): CommandHandler =>
  async ({ ack, command, respond, client }) => {
    await ack();
    // Node sends the ack's bytes on a later tick: let them go before the command's own work.
    await new Promise((resolve) => setImmediate(resolve));
    // Replies go out one after another, so a late "working…" note can never replace the answer.
    const send = replier(respond, deps, { replaceOriginal: false });
    let queue = Promise.resolve();
    let answered = false;
    const enqueue = (msg: Message) => {
      queue = queue.then(() => send(msg));
      return queue;
    };
    await dispatch(
      deps,
      {
        text: command.text.trim(),
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        page: 0,
        shared: false,
        client,
        reply: (msg) => {
          answered = true;
          return enqueue(msg);
        },
      },
      async () => {
        if (!answered) await enqueue(plain('⏳ Asking ONSIM… it is taking a moment.'));
      },
    );
  };

/** Runs again the command a page, share or open button carries (see rerun.ts). */
async function rerun(
  deps: AppDeps,
  body: BlockAction,
  action: ButtonAction,
  respond: RespondFn,
  client: WebClient,
  mode: 'page' | 'share' | 'open',
): Promise<void> {
  const parsed = parseRerunValue(action.value ?? '');
  if (!parsed) return;
  const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
  await dispatch(
    deps,
    {
      text: parsed.text,
      userId: body.user.id,
      channelId,
      triggerId: body.trigger_id,
      page: parsed.page,
      shared: mode === 'share',
      client,
      reply:
        mode === 'share'
          ? auditedShare(
              deps,
              client,
              { userId: body.user.id, channelId, text: parsed.text },
              replier(respond, deps, { replaceOriginal: false, inChannel: body.user.id }),
            )
          : replier(respond, deps, { replaceOriginal: mode === 'page' }),
    },
    null,
  );
}

/** A list's Previous / Next buttons: the same look-up, another page, in place. */
export const onPageButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    await rerun(deps, body, action, respond, client, 'page');
  };

/** "Share in channel": the same look-up, answered for everyone to see. */
export const onShareButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    await rerun(deps, body, action, respond, client, 'share');
  };

/** find's "Open": the look-up answered in a new private message; the list clicked stays. */
export const onOpenButton =
  (deps: AppDeps): ButtonHandler =>
  async ({ ack, body, action, respond, client }) => {
    await ack();
    await rerun(deps, body, action, respond, client, 'open');
  };

/**
 * A look-up shown to a whole channel is audited: a "requested" entry before anything is posted
 * (no entry, no post) and a "succeeded" one once Slack took it.
 */
function auditedShare(
  deps: AppDeps,
  client: WebClient,
  { userId, channelId, text }: { userId: string; channelId: string; text: string },
  post: (msg: Message) => Promise<void>,
) {
  const entry = {
    userId,
    channelId: channelId || null,
    operation: 'share in channel',
    target: guessTarget(splitArgs(text).slice(1), deps.config.defaultCountry),
    detail: `${SLASH_COMMAND} ${text}`,
  };
  return async (msg: Message) => {
    await audit(deps, client, { ...entry, event: 'requested' });
    await post(msg);
    await audit(deps, client, { ...entry, event: 'succeeded' });
  };
}

/** The MPN or ICCID a refused command was aimed at, for the audit trail (words may split a number). */
function guessTarget(args: string[], country: Config['defaultCountry']): string | null {
  for (let start = 0; start < args.length; start++) {
    for (let end = Math.min(args.length, start + 4); end > start; end--) {
      const words = args.slice(start, end).join(' ');
      if (!/\d/.test(words)) continue;
      const found = recogniseIdentifier(words, ['mpn', 'iccid', 'esim_code'], country);
      if (found.ok) return found.value.kind === 'esim_code' ? 'eSIM code' : found.value.value;
    }
  }
  return null;
}

import type { App, BlockAction, ButtonAction, RespondArguments, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { authorize } from '../guard/authorize.js';
import { describeFailure } from '../slack/failure.js';
import { badge, type Message, plain } from '../slack/message.js';
import { atLeast, type Role } from '../slack/roles.js';
import { esc, mention } from '../slack/text.js';
import { SUBCOMMANDS } from './index.js';
import { closest } from './suggest.js';
import type { Invocation, Subcommand } from './types.js';

export const SLASH_COMMAND = '/onsim';
export const ACTION_PAGE = 'list_page';
export const ACTION_SHARE = 'share_in_channel';

/** How long a command may take before the user is told the bot is still working. */
const WORKING_NOTE_AFTER_MS = 1500;

function lookup(name: string): Subcommand | undefined {
  const n = name.toLowerCase();
  return SUBCOMMANDS.find((c) => c.name === n || c.aliases?.includes(n));
}

/** Undoes what Slack does to typed text: entity escapes, auto-links (`<tel:+44…|+44…>`), smart quotes. */
export function cleanSlackText(text: string): string {
  return text
    .replace(/<(?:tel|mailto|https?):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:tel|mailto|https?):[^>]*)>/g, (_, link: string) => link.replace(/^(tel|mailto):/, ''))
    .replace(/[“”]/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

export function splitArgs(text: string): string[] {
  // Keeps quoted phrases together: `subscribers "Acme Sales"`.
  return [...cleanSlackText(text).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function helpMessage(role: Role): Message {
  const visible = SUBCOMMANDS.filter((c) => atLeast(role, c.role));
  const hidden = SUBCOMMANDS.length - visible.length;
  const lines = visible.map((c) => `• \`${SLASH_COMMAND} ${esc(c.usage)}\` — ${esc(c.summary)}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'ONSIM bot — commands' } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            `You are a *${role}*.` +
            (hidden > 0
              ? ` ${hidden} more command${hidden > 1 ? 's' : ''} need${hidden > 1 ? '' : 's'} a higher role: ask an admin to add you to ${role === 'viewer' ? 'OPERATORS' : 'ADMINS'}.`
              : '') +
            ' MPNs can be typed as +44 7700 900123 or 07700 900123.',
        },
      ],
    },
  ];
  return { text: `ONSIM bot commands: ${visible.map((c) => c.name).join(', ')}`, blocks };
}

/** Builds the `reply` of an invocation around a response_url. */
function replier(respond: RespondFn, deps: AppDeps, opts: { replaceOriginal: boolean; inChannel?: string }) {
  let replace = opts.replaceOriginal;
  return async (msg: Message) => {
    let out = badge(msg, deps.sandbox);
    if (opts.inChannel) {
      const sharedBy: KnownBlock = {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Shared by ${mention(opts.inChannel)}` }],
      };
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
  base: Omit<Invocation, 'args' | 'log'>,
  markWorking: (() => Promise<void>) | null,
): Promise<void> {
  const [first = '', ...args] = splitArgs(base.text);
  const log = deps.logger.child({ name: 'command', user: base.userId, sub: first });
  if (first === '' || first.toLowerCase() === 'help') {
    await base.reply(helpMessage(await deps.roles.roleOf(base.userId)));
    return;
  }
  const sub = lookup(first);
  if (!sub) {
    const names = SUBCOMMANDS.map((c) => c.name);
    const guess = closest(first, names);
    await base.reply(
      plain(
        `🤔 \`${esc(first)}\` is not an /onsim command.${guess ? ` Did you mean \`${guess}\`?` : ''} Type \`${SLASH_COMMAND} help\` for the list.`,
      ),
    );
    return;
  }
  const inv: Invocation = { ...base, args, log };
  if (sub.role !== 'viewer') {
    const auth = await authorize(
      deps,
      base.client,
      { userId: base.userId, channelId: base.channelId },
      sub.role,
      sub.operation ?? sub.name,
      args[0] ?? null,
    );
    if (!auth.ok) {
      await base.reply(plain(auth.message));
      return;
    }
  }
  const timer = markWorking
    ? setTimeout(() => void markWorking().catch(() => {}), WORKING_NOTE_AFTER_MS)
    : null;
  try {
    await sub.run(inv, deps);
  } catch (err) {
    log.error({ err }, 'command failed');
    await inv.reply(plain(describeFailure(err, `run \`${esc(sub.name)}\``)));
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** `/onsim …` plus the generic page and share buttons that re-run a look-up. */
export function registerRouter(app: App, deps: AppDeps): void {
  app.command(SLASH_COMMAND, async ({ ack, command, respond, client }) => {
    await ack();
    let working = false;
    const reply = replier(respond, deps, { replaceOriginal: false });
    await dispatch(
      deps,
      {
        text: command.text.trim(),
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        page: 0,
        client,
        reply: async (msg) => {
          working = false;
          await reply(msg);
        },
      },
      async () => {
        if (working) return;
        working = true;
        await reply(plain('⏳ Asking ONSIM… it is taking a moment.'));
      },
    );
  });

  const rerun = async (
    body: BlockAction,
    action: ButtonAction,
    respond: RespondFn,
    client: WebClient,
    mode: 'page' | 'share',
  ) => {
    const parsed = parseRerunValue(action.value ?? '');
    if (!parsed) return;
    await dispatch(
      deps,
      {
        text: parsed.text,
        userId: body.user.id,
        channelId: body.channel?.id ?? body.container?.channel_id ?? '',
        triggerId: body.trigger_id,
        page: parsed.page,
        client,
        reply:
          mode === 'share'
            ? replier(respond, deps, { replaceOriginal: false, inChannel: body.user.id })
            : replier(respond, deps, { replaceOriginal: true }),
      },
      null,
    );
  };

  app.action<BlockAction<ButtonAction>>(ACTION_PAGE, async ({ ack, body, action, respond, client }) => {
    await ack();
    await rerun(body, action, respond, client, 'page');
  });
  app.action<BlockAction<ButtonAction>>(ACTION_SHARE, async ({ ack, body, action, respond, client }) => {
    await ack();
    await rerun(body, action, respond, client, 'share');
  });

  for (const sub of SUBCOMMANDS) sub.register?.(app, deps);
}

/** Page and share buttons carry `<page>|<command text>`. */
export function rerunValue(text: string, page = 0): string {
  return `${page}|${text}`.slice(0, 2000);
}

function parseRerunValue(value: string): { page: number; text: string } | null {
  const m = /^(\d+)\|(.*)$/s.exec(value);
  if (!m) return null;
  return { page: Number(m[1]), text: m[2] ?? '' };
}

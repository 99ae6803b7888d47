/**
 * Slack text to safe HTML: mrkdwn through slack-message-parser's syntax tree, plain_text with
 * emoji. Every piece of text is escaped; links keep only http(s) and mailto URLs.
 */
import { type Node, NodeType, parse } from 'slack-message-parser';

export interface TextContext {
  /** Shortcode (no colons) → emoji. */
  emoji: Record<string, string>;
  /** User id → display name. */
  people: Record<string, string>;
  /** Channel id → name. */
  channels: Record<string, string>;
}

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Slack sends &amp; &lt; &gt; escaped inside mrkdwn; the parser leaves them so. */
const unescapeSlack = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const SAFE_URL = /^(https?:|mailto:)/i;

export const safeUrl = (url: string): string | null => (SAFE_URL.test(url.trim()) ? url.trim() : null);

const emojiFor = (name: string, ctx: TextContext): string => {
  const found = ctx.emoji[name];
  return found
    ? `<span class="emoji" title=":${escapeHtml(name)}:">${found}</span>`
    : escapeHtml(`:${name}:`);
};

const withBreaks = (s: string): string => escapeHtml(s).replace(/\n/g, '<br>');

function render(node: Node, ctx: TextContext): string {
  const all = (nodes: Node[] | undefined) => (nodes ?? []).map((n) => render(n, ctx)).join('');
  switch (node.type) {
    case NodeType.Root:
      return all(node.children);
    case NodeType.Text:
      return withBreaks(unescapeSlack(node.text));
    case NodeType.Bold:
      return `<strong>${all(node.children)}</strong>`;
    case NodeType.Italic:
      return `<em>${all(node.children)}</em>`;
    case NodeType.Strike:
      return `<del>${all(node.children)}</del>`;
    case NodeType.Code:
      return `<code>${escapeHtml(unescapeSlack(node.text))}</code>`;
    case NodeType.PreText:
      return `<pre>${escapeHtml(unescapeSlack(node.text))}</pre>`;
    case NodeType.Quote:
      return `<blockquote>${all(node.children)}</blockquote>`;
    case NodeType.Emoji:
      return emojiFor(node.name, ctx);
    case NodeType.UserLink: {
      const label = node.label ? all(node.label) : escapeHtml(ctx.people[node.userID] ?? node.userID);
      return `<span class="mention" data-user="${escapeHtml(node.userID)}">@${label}</span>`;
    }
    case NodeType.ChannelLink: {
      const label = node.label ? all(node.label) : escapeHtml(ctx.channels[node.channelID] ?? node.channelID);
      return `<span class="mention channel">#${label}</span>`;
    }
    case NodeType.Command: {
      if (['here', 'channel', 'everyone'].includes(node.name))
        return `<span class="mention">@${node.name}</span>`;
      if (node.name === 'subteam') {
        const label = node.label ? all(node.label) : `@${escapeHtml(node.arguments[0] ?? 'group')}`;
        return `<span class="mention">${label}</span>`;
      }
      // <!date^…|fallback> and the like: Slack shows the fallback text.
      return node.label ? all(node.label) : escapeHtml(node.source);
    }
    case NodeType.URL: {
      const label = node.label ? all(node.label) : escapeHtml(unescapeSlack(node.url));
      const url = safeUrl(unescapeSlack(node.url));
      return url
        ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`
        : label;
    }
    default:
      return escapeHtml((node as { source?: string }).source ?? '');
  }
}

export function mrkdwnToHtml(text: string, ctx: TextContext): string {
  return render(parse(text), ctx);
}

/** plain_text: literal, with :shortcodes: turned into emoji when `emoji` is not false. */
export function plainToHtml(text: string, ctx: TextContext, emoji = true): string {
  if (!emoji) return withBreaks(text);
  return text
    .split(/(:[a-z0-9_+-]+:)/g)
    .map((part) => {
      const m = /^:([a-z0-9_+-]+):$/.exec(part);
      return m?.[1] && ctx.emoji[m[1]] ? emojiFor(m[1], ctx) : withBreaks(part);
    })
    .join('');
}

/** A text object ({type:'plain_text'|'mrkdwn', text}) to HTML. */
export function textToHtml(obj: unknown, ctx: TextContext): string {
  if (typeof obj !== 'object' || obj === null) return '';
  const t = obj as { type?: string; text?: unknown; emoji?: boolean; verbatim?: boolean };
  const text = typeof t.text === 'string' ? t.text : '';
  return t.type === 'mrkdwn' ? mrkdwnToHtml(text, ctx) : plainToHtml(text, ctx, t.emoji !== false);
}

/** The text of a text object without markup (select options, titles). */
export const textOf = (obj: unknown): string =>
  typeof obj === 'object' && obj !== null && typeof (obj as { text?: unknown }).text === 'string'
    ? ((obj as { text: string }).text ?? '')
    : '';

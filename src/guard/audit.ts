import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { maskSecrets } from '../logger.js';
import { esc, mention } from '../slack/text.js';
import type { AuditEntry, AuditEvent, NewAuditEntry } from '../store/types.js';
import { auditTarget } from '../views/audit.js';

const EVENT_ICON: Record<AuditEvent, string> = {
  requested: '📝',
  started: '▶️',
  confirmed: '👍',
  cancelled: '↩️',
  refused: '⛔',
  succeeded: '✅',
  failed: '❌',
  outcome_unknown: '❓',
  expired: '⌛',
};

export function auditLine(e: AuditEntry): string {
  const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
  const where = e.channelId ? ` in <#${e.channelId}>` : '';
  const detail = e.detail ? ` — ${esc(e.detail)}` : '';
  return `${EVENT_ICON[e.event]} ${when} UTC · *${esc(e.operation)}*${auditTarget(e)} · ${e.event.replace('_', ' ')} · ${mention(e.userId)}${where}${detail}`;
}

/**
 * Writes one audit entry (secrets in its text masked) and mirrors it to AUDIT_CHANNEL when set, in the
 * background. A failure to mirror is logged, never thrown: the action it describes has already happened.
 */
export async function audit(
  deps: Pick<AppDeps, 'store' | 'config' | 'logger' | 'now' | 'background'>,
  client: WebClient,
  entry: Omit<NewAuditEntry, 'at'>,
): Promise<AuditEntry> {
  // Details often quote an error message: mask any secret it carries (an eSIM code, a token).
  const saved = await deps.store.appendAudit({
    ...entry,
    target: entry.target === null ? null : maskSecrets(entry.target),
    detail: entry.detail === null ? null : maskSecrets(entry.detail),
    at: deps.now(),
  });
  deps.logger.info({ audit: { ...saved } }, 'audit');
  const channel = deps.config.auditChannel;
  if (channel) {
    // In the background, in order: a slow Slack must not make a modal miss its 3-second ack.
    deps.background.run('mirror audit entry', async () => {
      try {
        await client.chat.postMessage({ channel, text: auditLine(saved), unfurl_links: false });
      } catch (err) {
        deps.logger.warn({ err, auditId: saved.id }, 'could not mirror audit entry to AUDIT_CHANNEL');
      }
    });
  }
  return saved;
}

import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { esc, mention } from '../slack/text.js';
import type { AuditEntry, AuditEvent, NewAuditEntry } from '../store/types.js';

const EVENT_ICON: Record<AuditEvent, string> = {
  requested: '📝',
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
  const target = e.target ? ` \`${esc(e.target)}\`` : '';
  const where = e.channelId ? ` in <#${e.channelId}>` : '';
  const detail = e.detail ? ` — ${esc(e.detail)}` : '';
  return `${EVENT_ICON[e.event]} ${when} UTC · *${esc(e.operation)}*${target} · ${e.event.replace('_', ' ')} · ${mention(e.userId)}${where}${detail}`;
}

/**
 * Writes one audit entry (never secrets) and mirrors it to AUDIT_CHANNEL when set. A failure
 * to mirror is logged, never thrown: the action it describes has already happened.
 */
export async function audit(
  deps: Pick<AppDeps, 'store' | 'config' | 'logger' | 'now'>,
  client: WebClient,
  entry: Omit<NewAuditEntry, 'at'>,
): Promise<AuditEntry> {
  const saved = await deps.store.appendAudit({ ...entry, at: deps.now() });
  deps.logger.info({ audit: { ...saved } }, 'audit');
  const channel = deps.config.auditChannel;
  if (channel) {
    try {
      await client.chat.postMessage({ channel, text: auditLine(saved), unfurl_links: false });
    } catch (err) {
      deps.logger.warn({ err, auditId: saved.id }, 'could not mirror audit entry to AUDIT_CHANNEL');
    }
  }
  return saved;
}

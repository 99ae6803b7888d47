// What the bot posts when it follows something through: an eSIM's installation (the QR message
// updated in place, a thread note on time-out) and a line's data usage (alerts with a "Change
// bundle" button). Pure: data in, Block Kit out.
import type { KnownBlock } from '@slack/types';
import { formatMpn } from '../onsim/identifiers.js';
import { button, context, section } from '../slack/blocks.js';
import type { Message } from '../slack/message.js';
import { esc, mention } from '../slack/text.js';
import { ACTION_ACCOUNT_BUNDLE } from './action-ids.js';

/** `<!date…>` shows the time in each reader's own time zone; the fallback is UTC. */
export function slackClock(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `<!date^${Math.floor(ms / 1000)}^{time}|${iso.slice(11, 16)} UTC>`;
}

export interface EsimSubject {
  mpn: string | null;
  iccid: string | null;
  iAccount: string | null;
}

export const subjectLabel = (s: EsimSubject): string =>
  s.mpn ? formatMpn(s.mpn) : s.iccid ? `SIM ${s.iccid}` : s.iAccount ? `account ${s.iAccount}` : 'this eSIM';

/** The line added under a posted QR while the bot follows the installation. */
export function followingNote(hours: number): KnownBlock {
  return context(
    `👀 The bot is following the installation: this message changes once the eSIM is installed, and the QR is then deleted (for up to ${hours} h).`,
  );
}

/** The QR message once the eSIM is installed: the image is gone, nobody else can scan it. */
export function esimInstalledMessage(
  s: EsimSubject & { installedAt: number; enabledOnDevice: boolean; qrDeleted: boolean; posterId: string },
): Message {
  const label = esc(subjectLabel(s));
  const device = s.enabledOnDevice ? ', and enabled' : '';
  const qr = s.qrDeleted
    ? 'The QR image was deleted, so nobody else can scan it.'
    : 'The QR image could not be deleted by the bot; delete it by hand (⋯ → Delete file).';
  return {
    text: `✅ eSIM for ${subjectLabel(s)} installed${device}`,
    blocks: [
      section(
        `✅ The eSIM for *${label}* was installed on the device at ${slackClock(s.installedAt)}${device}.`,
      ),
      context(`${qr} QR posted by ${mention(s.posterId)}.`),
    ],
  };
}

/** Posted in the QR message's thread when the eSIM was not installed in time. */
export function esimNotInstalledNote(s: EsimSubject & { startedAt: number; hours: number }): Message {
  const label = subjectLabel(s);
  const ref = s.mpn ?? s.iccid ?? s.iAccount ?? '';
  return {
    text: `⌛ The eSIM for ${label} was not installed within ${s.hours} h`,
    blocks: [
      section(
        `⌛ The eSIM for *${esc(label)}* was not installed within ${s.hours} h of this QR (sent ${slackClock(s.startedAt)}). The bot has stopped following it.`,
      ),
      context(
        `Check with the customer. \`/onsim esim ${esc(ref)}\` shows its status; \`/onsim esim-refresh ${esc(ref)}\` issues a new code if this one may have leaked.`,
      ),
    ],
  };
}

/** The QR message once the SIM was ceased while the bot waited for it. */
export function esimCeasedMessage(s: EsimSubject): Message {
  const label = esc(subjectLabel(s));
  return {
    text: `The SIM of ${subjectLabel(s)} was ceased; its eSIM is no longer followed`,
    blocks: [
      section(`🛑 ONSIM no longer knows the eSIM for *${label}* (ceased?): the bot stopped following it.`),
    ],
  };
}

// ---- Data usage ----------------------------------------------------------------------------

export interface UsageAlert {
  mpn: string;
  percent: number;
  threshold: number;
  level: 'threshold' | 'full';
  bundle: string | null;
  /** e.g. "9.4 GB used of 10 GB". */
  figures: string;
  period: string | null;
}

export function usageAlertMessage(a: UsageAlert): Message {
  const mpn = formatMpn(a.mpn);
  const bundle = a.bundle ? ` ${esc(a.bundle)}` : '';
  const head =
    a.level === 'full'
      ? `🔴 *${esc(mpn)}* has used all of its${bundle} data (${Math.floor(a.percent)}%).`
      : `🟠 *${esc(mpn)}* has used ${Math.floor(a.percent)}% of its${bundle} data (watching at ${a.threshold}%).`;
  const blocks: KnownBlock[] = [
    section(`${head}\n${esc(a.figures)}${a.period ? ` · period ${esc(a.period)}` : ''}`),
    {
      type: 'actions',
      block_id: 'usage_alert_actions',
      elements: [button('📦 Change bundle', ACTION_ACCOUNT_BUNDLE, a.mpn, 'primary')],
    },
    context(
      a.level === 'full'
        ? 'No more alerts for this line until its next bundle period.'
        : `One more alert follows at 100%. \`/onsim usage unwatch ${esc(a.mpn)}\` stops these.`,
    ),
  ];
  return {
    text:
      a.level === 'full'
        ? `${mpn} has used all of its data`
        : `${mpn} has used ${Math.floor(a.percent)}% of its data`,
    blocks,
  };
}

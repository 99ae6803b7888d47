// A QR image whose QR_TTL_HOURS have passed: deleted, and its "Delete QR" message says so. Every
// step can be repeated (a file or message gone already is fine), and the store is told last, so
// a crash in between only means the next tick does it again.
import { WebAPIRateLimitedError } from '@slack/web-api';
import type { QrExpiry } from '../store/types.js';
import { qrExpiredMessage } from '../views/qr.js';
import { type FollowContext, ignoringGone } from './context.js';

/** After a failure (Slack down, a refusal), the next try. */
const RETRY_MS = 10 * 60_000;
/** Past its time by this much, a QR that still cannot be deleted is given up on (and logged). */
const GIVE_UP_MS = 24 * 3_600_000;

export async function stepQrExpiry(ctx: FollowContext, q: QrExpiry): Promise<void> {
  try {
    await ignoringGone(ctx, 'QR file', () => ctx.slack.files.delete({ file: q.fileId }));
    if (q.messageTs) {
      const hoursUp = Math.max(1, Math.round((ctx.now() - q.postedAt) / 3_600_000));
      const msg = qrExpiredMessage(q, hoursUp);
      await ignoringGone(ctx, 'QR message', () =>
        ctx.slack.chat.update({ channel: q.channelId, ts: q.messageTs!, text: msg.text, blocks: msg.blocks }),
      );
    }
  } catch (err) {
    if (err instanceof WebAPIRateLimitedError) throw err; // the poller pauses for it
    if (ctx.now() - q.deleteAt < GIVE_UP_MS) {
      ctx.log.warn({ err, fileId: q.fileId }, 'QR expiry: Slack refused; trying again later');
      await ctx.store.postponeQrExpiry(q.fileId, ctx.now() + RETRY_MS);
      return;
    }
    ctx.log.error({ err, fileId: q.fileId }, 'QR expiry: could not delete the QR image; giving up');
  }
  await ctx.store.finishQrExpiry(q.fileId, ctx.now());
  ctx.log.info({ fileId: q.fileId }, 'QR deleted after QR_TTL_HOURS');
}

// One step of an eSIM install follow-up: ask ONSIM for the eSIM's status, and when it is
// installed (or the time is up, or the SIM is gone) claim that outcome in the store, then post
// it. A claimed outcome whose messages are not all out yet is finished by the next step.
import type { EsimInfo } from '../onsim/account.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import type { EsimFollowUp } from '../store/types.js';
import { esimCeasedMessage, esimInstalledMessage, esimNotInstalledNote } from '../views/follow.js';
import { type FollowContext, ignoringGone } from './context.js';

export const isInstalled = (info: EsimInfo): boolean =>
  info.esim_status?.trim().toLowerCase() === 'installed';

const queryOf = (f: EsimFollowUp) =>
  f.iccid ? { iccid: f.iccid } : f.mpn ? { mpn: f.mpn } : { i_account: f.iAccount ?? '' };

async function announceInstalled(
  ctx: FollowContext,
  f: EsimFollowUp,
  enabledOnDevice: boolean,
): Promise<void> {
  // Deleted now, or already (someone pressed "Delete QR"): either way nobody can scan it any more.
  if (f.fileId) {
    await ignoringGone(ctx, 'QR file', () => ctx.slack.files.delete({ file: f.fileId! }));
    // The install message replaces the QR's: its time limit has nothing left to do.
    await ctx.store.finishQrExpiry(f.fileId, ctx.now());
  }
  const qrDeleted = f.fileId !== null;
  if (f.messageTs) {
    const msg = esimInstalledMessage({
      ...f,
      installedAt: f.installedAt ?? ctx.now(),
      enabledOnDevice,
      qrDeleted,
      posterId: f.requesterId,
    });
    await ignoringGone(ctx, 'QR message', () =>
      ctx.slack.chat.update({ channel: f.channelId, ts: f.messageTs!, text: msg.text, blocks: msg.blocks }),
    );
  }
  await ctx.store.updateEsimFollowUp(f.id, 'announcing_installed', {
    status: 'installed',
    finishedAt: ctx.now(),
  });
  ctx.log.info({ followUp: f.id }, 'eSIM installed: QR message updated');
}

async function announceTimeout(ctx: FollowContext, f: EsimFollowUp): Promise<void> {
  const note = esimNotInstalledNote({ ...f, hours: ctx.esimHours });
  await ctx.slack.chat.postMessage({
    channel: f.channelId,
    text: note.text,
    blocks: note.blocks,
    ...(f.messageTs ? { thread_ts: f.messageTs } : {}),
  });
  await ctx.store.updateEsimFollowUp(f.id, 'announcing_timeout', {
    status: 'timed_out',
    finishedAt: ctx.now(),
  });
  ctx.log.info({ followUp: f.id }, 'eSIM not installed in time: thread note posted');
}

/** Moves one follow-up on by one step. ONSIM and Slack errors are thrown for the poller to back off. */
export async function stepEsimFollowUp(ctx: FollowContext, f: EsimFollowUp): Promise<void> {
  const now = ctx.now();
  if (f.status === 'announcing_installed') return announceInstalled(ctx, f, false);
  if (f.status === 'announcing_timeout') return announceTimeout(ctx, f);

  let info: EsimInfo;
  try {
    info = await ctx.onsim.account.getEsim(queryOf(f));
  } catch (err) {
    if (!(err instanceof OnsimNotFoundError)) throw err;
    // ONSIM no longer knows the eSIM: the SIM was ceased. Stop, and say so where the QR is.
    if (await ctx.store.updateEsimFollowUp(f.id, 'waiting', { status: 'ceased', finishedAt: now })) {
      if (f.fileId) await ignoringGone(ctx, 'QR file', () => ctx.slack.files.delete({ file: f.fileId! }));
      if (f.messageTs) {
        const msg = esimCeasedMessage(f);
        await ignoringGone(ctx, 'QR message', () =>
          ctx.slack.chat.update({
            channel: f.channelId,
            ts: f.messageTs!,
            text: msg.text,
            blocks: msg.blocks,
          }),
        );
      }
    }
    return;
  }
  if (isInstalled(info)) {
    const claimed = await ctx.store.updateEsimFollowUp(f.id, 'waiting', {
      status: 'announcing_installed',
      installedAt: now,
    });
    if (claimed) await announceInstalled(ctx, { ...f, installedAt: now }, info.enabled_on_device === 'ON');
    return;
  }
  if (now >= f.deadlineAt) {
    if (await ctx.store.updateEsimFollowUp(f.id, 'waiting', { status: 'announcing_timeout' }))
      await announceTimeout(ctx, f);
    return;
  }
  await ctx.store.updateEsimFollowUp(f.id, 'waiting', {
    nextCheckAt: Math.min(f.deadlineAt, now + ctx.esimPollMs),
    failures: 0,
  });
}

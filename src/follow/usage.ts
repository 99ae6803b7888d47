// One check of a watched line's data usage: read the account's bundle, re-arm the alerts when a
// new period has begun, and post at most one alert per level per period. An alert is claimed in
// the store (flag 1) before it is posted and marked posted (flag 2) after, so no poller posts it
// twice; a claimed but unposted alert (a crash, Slack failing) is posted by the next check.
import type { Account } from '../onsim/account.js';
import { OnsimNotFoundError } from '../onsim/errors.js';
import type { UsageWatch } from '../store/types.js';
import { formatMegabytes, formatPeriod, toMegabytes, usagePercent } from '../views/account.js';
import { usageAlertMessage } from '../views/follow.js';
import type { FollowContext } from './context.js';

export interface Usage {
  percent: number;
  usedMb: number;
  allowanceMb: number;
  bundle: string | null;
  /** What identifies the period (ONSIM's period_from, else period_to). */
  period: string | null;
  periodText: string | null;
}

/** The line's usage this period, or null when ONSIM gives no allowance to measure it against. */
export function usageOf(account: Account): Usage | null {
  const data = account.bundles.data;
  if (!data || data.allowance === undefined || data.used === undefined) return null;
  const allowanceMb = toMegabytes(data.allowance, data.unit);
  const usedMb = toMegabytes(data.used, data.unit);
  if (allowanceMb === null || usedMb === null || allowanceMb <= 0) return null;
  return {
    percent: usagePercent(usedMb, allowanceMb),
    usedMb,
    allowanceMb,
    bundle: data.bundle_name ?? null,
    period: data.period_from ?? data.period_to ?? null,
    periodText: formatPeriod(data.period_from, data.period_to) ?? null,
  };
}

async function post(
  ctx: FollowContext,
  w: UsageWatch,
  usage: Usage,
  level: 'threshold' | 'full',
): Promise<void> {
  const msg = usageAlertMessage({
    mpn: w.mpn,
    percent: usage.percent,
    threshold: w.threshold,
    level,
    bundle: usage.bundle,
    figures: `${formatMegabytes(usage.usedMb)} used of ${formatMegabytes(usage.allowanceMb)}`,
    period: usage.periodText,
  });
  await ctx.slack.chat.postMessage({
    channel: w.channelId,
    text: msg.text,
    blocks: msg.blocks,
    unfurl_links: false,
  });
  ctx.log.info({ watch: w.id, mpn: w.mpn, level, percent: usage.percent }, 'usage alert posted');
}

/** Checks one watch. ONSIM and Slack errors are thrown for the poller to back off. */
export async function stepUsageWatch(ctx: FollowContext, watch: UsageWatch): Promise<void> {
  let account: Account;
  try {
    account = await ctx.onsim.account.get(watch.mpn);
  } catch (err) {
    if (!(err instanceof OnsimNotFoundError)) throw err;
    // The line is gone (ceased, number changed): keep the watch, check again much later.
    await ctx.store.updateUsageWatch(watch.id, {
      lastCheckedAt: ctx.now(),
      lastPercent: null,
      nextCheckAt: ctx.now() + 4 * ctx.usagePollMs,
      failures: 0,
    });
    return;
  }
  const usage = usageOf(account);
  const now = ctx.now();
  const next = { lastCheckedAt: now, nextCheckAt: now + ctx.usagePollMs, failures: 0 };
  if (!usage) {
    await ctx.store.updateUsageWatch(watch.id, {
      ...next,
      lastPercent: null,
      lastBundle: account.bundles.data?.bundle_name ?? null,
    });
    return;
  }
  let w = watch;
  if (usage.period !== w.period) {
    // A new period (or the first check): both alerts are armed again.
    const rearmed = { period: usage.period, thresholdAlert: 0 as const, fullAlert: 0 as const };
    if (
      !(await ctx.store.updateUsageWatch(w.id, rearmed, {
        period: w.period,
        thresholdAlert: w.thresholdAlert,
        fullAlert: w.fullAlert,
      }))
    )
      return;
    w = { ...w, ...rearmed };
  }
  const flags = { period: w.period, thresholdAlert: w.thresholdAlert, fullAlert: w.fullAlert };
  if (usage.percent >= 100 && w.fullAlert !== 2) {
    // Crossing both at once gives one alert, the 100 % one.
    const claim = {
      fullAlert: 1 as const,
      thresholdAlert: w.thresholdAlert === 0 ? (2 as const) : w.thresholdAlert,
    };
    if (w.fullAlert === 0 && !(await ctx.store.updateUsageWatch(w.id, claim, flags))) return;
    await post(ctx, w, usage, 'full');
    await ctx.store.updateUsageWatch(w.id, { fullAlert: 2, thresholdAlert: 2 });
  } else if (usage.percent >= w.threshold && w.thresholdAlert !== 2 && w.fullAlert === 0) {
    if (w.thresholdAlert === 0 && !(await ctx.store.updateUsageWatch(w.id, { thresholdAlert: 1 }, flags)))
      return;
    await post(ctx, w, usage, 'threshold');
    await ctx.store.updateUsageWatch(w.id, { thresholdAlert: 2 });
  }
  await ctx.store.updateUsageWatch(w.id, { ...next, lastPercent: usage.percent, lastBundle: usage.bundle });
}

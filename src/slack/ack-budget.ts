// Slack shows an error when a command, click or submission is not answered within 3 seconds,
// and Bolt's HTTP receiver answers for the bot at 3 s (the bot's own late ack then throws).
// Work before an ack (a role refresh, a quick ONSIM check) is bounded by what is left of it.
import type { Context } from '@slack/bolt';

/** The bot aims to ack by then, leaving room for the answer's trip back and a busy machine. */
export const ACK_TARGET_MS = 2_000;

/** Stamps when a request arrived; the first global middleware calls it. */
export function markArrival(context: Context, at = Date.now()): void {
  if (typeof context.arrivedAt !== 'number') context.arrivedAt = at;
}

/** How long a check before the ack may still wait: at most `capMs`, never past the target. */
export function ackTimeLeft(context: Context, capMs: number): number {
  const arrived = typeof context.arrivedAt === 'number' ? context.arrivedAt : Date.now();
  return Math.max(0, Math.min(capMs, arrived + ACK_TARGET_MS - Date.now()));
}

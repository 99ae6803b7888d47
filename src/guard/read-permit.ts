import type { AppDeps } from '../deps.js';

/**
 * Whether a viewer's look-up may ask ONSIM now (the per-user bucket of src/read-limit.ts): null
 * if so, else what to tell them. Every surface that reads ONSIM for a viewer asks it first — a
 * command, a list's CSV button, the message shortcut, the Home tab's look-up and port details —
 * so one person cannot push the team's key into 429s from any of them. Operators and admins are
 * named by the team itself and never counted.
 */
export async function slowDownNotice(
  deps: Pick<AppDeps, 'roles' | 'readLimiter'>,
  userId: string,
): Promise<string | null> {
  if ((await deps.roles.roleOf(userId)) !== 'viewer') return null;
  const permit = deps.readLimiter.take(userId);
  if (permit.ok) return null;
  return `🐢 Slow down: you have made many look-ups in the last minute, and ONSIM limits the whole team's key. Try again in ${permit.retryInSeconds} s.`;
}

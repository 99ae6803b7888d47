import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { mention } from '../slack/text.js';
import type { Confirmation } from '../store/types.js';
import { audit } from './audit.js';
import { type Outcome, perform } from './perform.js';

export const CONFIRMATION_TTL_MS = 10 * 60_000;

export interface ConfirmationRequest {
  operation: string;
  userId: string;
  channelId: string | null;
  target: string;
  payload: Record<string, unknown>;
  /** Audited with the request, e.g. the reason for switching recording off. */
  detail?: string | null;
}

/** Stores a pending confirmation owned by its requester and audits the request. */
export async function requestConfirmation(
  deps: AppDeps,
  client: WebClient,
  req: ConfirmationRequest,
): Promise<Confirmation> {
  const createdAt = deps.now();
  const c = await deps.store.createConfirmation({
    id: randomUUID(),
    operation: req.operation,
    userId: req.userId,
    channelId: req.channelId,
    target: req.target,
    payload: req.payload,
    createdAt,
    expiresAt: createdAt + CONFIRMATION_TTL_MS,
  });
  deps.metrics.confirmations.inc({ outcome: 'requested' });
  await audit(deps, client, {
    userId: req.userId,
    channelId: req.channelId,
    operation: req.operation,
    target: req.target,
    event: 'requested',
    detail: req.detail ?? null,
  });
  return c;
}

export type ClaimRefusal = 'wrong_user' | 'expired' | 'already_used' | 'not_found';

export type Claim =
  | { ok: true; confirmation: Confirmation }
  | {
      ok: false;
      reason: ClaimRefusal;
      message: string;
      /**
       * True when the confirmation can never run any more and nobody else will answer for it
       * (expired, gone): replace its buttons. False for someone else's confirmation (only the
       * clicker is told) and for one already used (its outcome will replace it).
       */
      final: boolean;
    };

/**
 * Claims a confirmation atomically for the clicking user: of any number of clicks, instances
 * and restarts, exactly one gets `ok: true`. `detail` (e.g. the reason given) is audited with
 * the confirmation.
 */
export async function claimConfirmation(
  deps: AppDeps,
  client: WebClient,
  id: string,
  userId: string,
  channelId: string | null,
  detail: string | null = null,
): Promise<Claim> {
  const res = await deps.store.claimConfirmation(id, userId, deps.now());
  deps.metrics.confirmations.inc({ outcome: res.kind === 'claimed' ? 'confirmed' : res.kind });
  switch (res.kind) {
    case 'claimed':
      await audit(deps, client, {
        userId,
        channelId,
        operation: res.confirmation.operation,
        target: res.confirmation.target,
        event: 'confirmed',
        detail,
      });
      return { ok: true, confirmation: res.confirmation };
    case 'wrong_user':
      await audit(deps, client, {
        userId,
        channelId,
        operation: res.confirmation.operation,
        target: res.confirmation.target,
        event: 'refused',
        detail: `confirmation belongs to ${res.confirmation.userId}`,
      });
      return {
        ok: false,
        reason: 'wrong_user',
        final: false,
        message: `⛔ This confirmation belongs to ${mention(res.confirmation.userId)}: only they can confirm it. Nothing was done.`,
      };
    case 'expired':
      await audit(deps, client, {
        userId,
        channelId,
        operation: res.confirmation.operation,
        target: res.confirmation.target,
        event: 'expired',
        detail: null,
      });
      return {
        ok: false,
        reason: 'expired',
        final: true,
        message: `⌛ This confirmation expired (they last ${CONFIRMATION_TTL_MS / 60_000} minutes). Nothing was done; run the command again if it is still needed.`,
      };
    case 'already_used':
      return { ok: false, reason: 'already_used', final: false, message: usedMessage(res.confirmation) };
    case 'not_found':
      return {
        ok: false,
        reason: 'not_found',
        final: true,
        message:
          'This confirmation no longer exists. Nothing was done; run the command again if it is still needed.',
      };
  }
}

function usedMessage(c: Confirmation): string {
  if (c.status === 'cancelled') return '↩️ This request was cancelled. Nothing was done.';
  // Claimed: confirmed already, perhaps by an instance that has since stopped. Never run again.
  if (c.status === 'claimed')
    return '⏳ This confirmation was already confirmed, so nothing more was done: it runs only once. Its outcome replaces the confirmation when known; if none appears, check before asking again.';
  return `This confirmation was already used${c.result ? ` (outcome: ${c.result.replace('_', ' ')})` : ''}. It runs only once.`;
}

/** Runs the confirmed write once and records its outcome on the confirmation and in the audit trail. */
export async function runConfirmed<T>(
  deps: AppDeps,
  client: WebClient,
  c: Confirmation,
  detail: string | null,
  action: () => Promise<T>,
): Promise<Outcome<T>> {
  const outcome = await perform(
    deps,
    client,
    { userId: c.userId, channelId: c.channelId, operation: c.operation, target: c.target, detail },
    action,
    { confirmed: true },
  );
  try {
    await deps.store.finishConfirmation(c.id, outcome.kind);
  } catch (err) {
    deps.logger.error({ err, confirmation: c.id }, 'could not record the confirmation outcome');
  }
  return outcome;
}

export type Cancellation = { ok: true; confirmation: Confirmation } | { ok: false; message: string };

/** Cancels a pending confirmation; only its requester may. Audited (in its own channel when `channelId` is null). */
export async function cancelConfirmation(
  deps: AppDeps,
  client: WebClient,
  id: string,
  userId: string,
  channelId: string | null,
): Promise<Cancellation> {
  const c = await deps.store.getConfirmation(id);
  if (!c) return { ok: false, message: 'This confirmation no longer exists. Nothing was done.' };
  if (c.userId !== userId) {
    await audit(deps, client, {
      userId,
      channelId: channelId ?? c.channelId,
      operation: c.operation,
      target: c.target,
      event: 'refused',
      detail: `cancel of a confirmation that belongs to ${c.userId}`,
    });
    return {
      ok: false,
      message: `⛔ This confirmation belongs to ${mention(c.userId)}: only they can cancel it. Nothing was changed.`,
    };
  }
  if (!(await deps.store.cancelConfirmation(id, userId))) {
    const now = await deps.store.getConfirmation(id);
    return { ok: false, message: now ? usedMessage(now) : 'This confirmation no longer exists.' };
  }
  await audit(deps, client, {
    userId,
    channelId: channelId ?? c.channelId,
    operation: c.operation,
    target: c.target,
    event: 'cancelled',
    detail: null,
  });
  deps.metrics.confirmations.inc({ outcome: 'cancelled' });
  return { ok: true, confirmation: c };
}

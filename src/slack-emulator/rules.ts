/**
 * Slack's rules that a bot can break without noticing until production: single-use triggers that
 * expire, a per-channel posting rate, and response_urls that wear out.
 */

export const TRIGGER_TTL_MS = 3_000;
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;
/** Slack allows about one message per second per channel, with short bursts above it. */
export const CHANNEL_BURST = 5;
export const CHANNEL_RATE_PER_S = 1;

export interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

export type TriggerVerdict =
  | { ok: true; user: string | undefined }
  | { ok: false; error: string; messages?: string[] };

export class TriggerBook {
  private readonly triggers = new Map<string, Trigger>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  issue(user: string): string {
    this.seq += 1;
    const at = this.now();
    const id = `${Math.floor(at / 1000)}.${this.seq}.${Math.random().toString(16).slice(2, 14)}`;
    this.triggers.set(id, { user, issuedAt: at, used: false });
    return id;
  }

  /** Uses a trigger up. Unknown triggers pass only when `strict` is off (tests make their own). */
  use(id: string | undefined, strict: boolean): TriggerVerdict {
    const trigger = id ? this.triggers.get(id) : undefined;
    if (!trigger) {
      return strict || !id
        ? { ok: false, error: 'invalid_arguments', messages: ['[ERROR] invalid `trigger_id`'] }
        : { ok: true, user: undefined };
    }
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    trigger.used = true;
    if (this.now() - trigger.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    return { ok: true, user: trigger.user };
  }

  clear(): void {
    this.triggers.clear();
  }
}

/** A token bucket per channel; answers how many seconds to wait when the bucket is empty. */
export class ChannelRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number) {}

  /** 0 when the message may go now; otherwise the Retry-After in whole seconds. */
  take(channel: string): number {
    const now = this.now();
    const bucket = this.buckets.get(channel) ?? { tokens: CHANNEL_BURST, at: now };
    bucket.tokens = Math.min(CHANNEL_BURST, bucket.tokens + ((now - bucket.at) / 1000) * CHANNEL_RATE_PER_S);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / CHANNEL_RATE_PER_S));
  }

  clear(): void {
    this.buckets.clear();
  }
}

export interface ResponseUrlContext {
  /** Where an answer goes: the channel of the command or message. */
  channel?: string;
  /** Who sees an ephemeral answer. */
  user?: string;
  /** The message the interaction came from (replace_original / delete_original). */
  messageTs?: string;
}

export interface IssuedResponseUrl {
  context: ResponseUrlContext;
  issuedAt: number;
  uses: number;
}

export class ResponseUrlBook {
  private readonly urls = new Map<string, IssuedResponseUrl>();

  constructor(private readonly now: () => number) {}

  issue(id: string, context: ResponseUrlContext): void {
    this.urls.set(id, { context, issuedAt: this.now(), uses: 0 });
  }

  get(id: string): IssuedResponseUrl | undefined {
    return this.urls.get(id);
  }

  /** Counts a use; the error Slack answers once the URL is worn out or too old. */
  use(id: string, strict: boolean): 'used_url' | 'expired_url' | undefined {
    const url = this.urls.get(id);
    if (!url) return 'expired_url';
    url.uses += 1;
    if (!strict) return undefined;
    if (this.now() - url.issuedAt > RESPONSE_URL_TTL_MS) return 'expired_url';
    if (url.uses > RESPONSE_URL_USES) return 'used_url';
    return undefined;
  }

  clear(): void {
    this.urls.clear();
  }
}

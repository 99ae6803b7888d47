// A database belongs to one ONSIM: the real one at a base URL, or the built-in sandbox. Mixing
// them would turn sandbox ports into a flood of gone/new alerts once the real key returns, and
// leave test actions in the real audit trail. The first start records which ONSIM the database
// serves; a start for another refuses to open it.
import type { Store } from './types.js';

export interface OnsimIdentity {
  sandbox: boolean;
  /** The real ONSIM's base URL; ignored for the sandbox (its port changes every start). */
  baseUrl: string;
}

const KEY = 'store.onsim';

export class StoreOwnerError extends Error {
  override name = 'StoreOwnerError';
}

/** The identity as stored: the sandbox, or the base URL without credentials or trailing slash. */
export function describeOnsim(onsim: OnsimIdentity): string {
  if (onsim.sandbox) return 'sandbox';
  const url = new URL(onsim.baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Records the store's ONSIM if it has none yet; throws StoreOwnerError if it has another. */
export async function claimStore(store: Store, onsim: OnsimIdentity): Promise<void> {
  const wanted = describeOnsim(onsim);
  const recorded = await store.setKvIfAbsent(KEY, wanted);
  if (recorded === wanted) return;
  throw new StoreOwnerError(mismatch(recorded, wanted));
}

const name = (identity: string) =>
  identity === 'sandbox' ? 'the built-in ONSIM sandbox' : `the ONSIM at ${identity}`;

function mismatch(recorded: string, wanted: string): string {
  const head =
    `the database (DATABASE_URL) was created for ${name(recorded)}, ` +
    `but this start uses ${name(wanted)}${wanted === 'sandbox' ? ' (ONSIM_API_KEY is not set)' : ''}.`;
  const fix =
    recorded === 'sandbox'
      ? 'Its test ports and actions must not mix with real ones: point DATABASE_URL at the real ONSIM’s ' +
        'database (unset, it is sqlite:./data/onsim-bot.db), or unset ONSIM_API_KEY to keep using the sandbox.'
      : wanted === 'sandbox'
        ? 'Sandbox ports would raise alerts about real ones and test actions would enter the real audit trail: ' +
          'set ONSIM_API_KEY, or point DATABASE_URL at a database of the sandbox’s own ' +
          '(unset, it is sqlite:./data/onsim-bot.sandbox.db).'
        : `Set ONSIM_BASE_URL back to ${recorded}, or point DATABASE_URL at a database for ${wanted}.`;
  return `${head} ${fix}`;
}

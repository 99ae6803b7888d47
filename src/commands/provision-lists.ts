// ONSIM's customer groups and product catalogue for the provisioning form, cached for a few
// minutes so the modal usually opens complete within Slack's 3-second trigger window. One cache
// per ONSIM client (per app instance); concurrent loads share one pair of requests; failures are
// not cached.
import type { OnsimClient } from '../onsim/client.js';
import type { ProvisionLists } from '../views/provision.js';

export const PROVISION_LISTS_TTL_MS = 5 * 60_000;

interface Entry {
  value?: ProvisionLists;
  at: number;
  inflight?: Promise<ProvisionLists>;
}

const caches = new WeakMap<OnsimClient, Entry>();

function entryFor(onsim: OnsimClient): Entry {
  let entry = caches.get(onsim);
  if (!entry) {
    entry = { at: 0 };
    caches.set(onsim, entry);
  }
  return entry;
}

/** The cached lists if they are fresh, without asking ONSIM. */
export function cachedProvisionLists(onsim: OnsimClient, now: number): ProvisionLists | undefined {
  const entry = caches.get(onsim);
  return entry?.value && now - entry.at < PROVISION_LISTS_TTL_MS ? entry.value : undefined;
}

/** Fresh lists: from the cache, from a load already under way, or from ONSIM. */
export function loadProvisionLists(
  onsim: OnsimClient,
  now: () => number,
  opts: { force?: boolean } = {},
): Promise<ProvisionLists> {
  const entry = entryFor(onsim);
  const cached = opts.force ? undefined : cachedProvisionLists(onsim, now());
  if (cached) return Promise.resolve(cached);
  if (entry.inflight) return entry.inflight;
  const load = (async () => {
    try {
      const [groups, catalogue] = await Promise.all([
        onsim.reseller.listGroups(),
        onsim.reseller.getCatalogue(),
      ]);
      const value: ProvisionLists = {
        groups: [...new Set(groups.map((g) => g.name.trim()).filter(Boolean))].sort((a, b) =>
          a.localeCompare(b),
        ),
        products: catalogue.products.map((p) => ({
          id: p.id,
          name: p.name,
          ...(p.description ? { description: p.description } : {}),
        })),
      };
      entry.value = value;
      entry.at = now();
      return value;
    } finally {
      entry.inflight = undefined;
    }
  })();
  entry.inflight = load;
  return load;
}

/** Forgets the cached lists (e.g. after a group was added). */
export function forgetProvisionLists(onsim: OnsimClient): void {
  caches.delete(onsim);
}

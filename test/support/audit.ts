// A typed audit entry for tests that fill the trail before they look at it (Home, /onsim audit).
import { SANDBOX_FIXTURES as F } from '../../src/onsim/sandbox/server.js';
import type { NewAuditEntry } from '../../src/store/types.js';
import { USERS } from './bot.js';

/** Defaults: an operator's bundle change of the sandbox's physical-SIM line in C123, succeeded. */
export function auditEntry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: Date.UTC(2026, 0, 5, 9, 0, 0),
    userId: USERS.operator,
    channelId: 'C123',
    operation: 'change bundle',
    target: F.psimMpn,
    event: 'succeeded',
    detail: null,
    ...overrides,
  };
}

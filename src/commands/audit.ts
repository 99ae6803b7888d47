import type { CountryCode } from 'libphonenumber-js';
import { auditLine } from '../guard/audit.js';
import { formatMpn, recogniseIdentifier } from '../onsim/identifiers.js';
import { plain } from '../slack/message.js';
import { clip, ECHO_MAX, esc } from '../slack/text.js';
import { AUDIT_PAGE_SIZE, auditMessage } from '../views/audit.js';
import { ACTION_PAGE, rerunValue } from '../views/rerun.js';
import type { Subcommand } from './types.js';

const DEFAULT_N = 20;
const MAX_N = 100;
const KINDS = ['mpn', 'iccid'] as const;
const USAGE = '`/onsim audit [mpn or iccid] [how many]`, e.g. `/onsim audit 07700 900123 50`';

type AuditArgs =
  | { ok: true; target: string | null; label: string | null; n: number; note: string | null }
  | { ok: false; message: string };

/**
 * `[target…] [n]`: a trailing number of up to 3 digits is how many, unless all the words make
 * one MPN or ICCID together (`07700 900 123`).
 */
export function parseAuditArgs(args: string[], country: CountryCode = 'GB'): AuditArgs {
  const whole = args.join(' ');
  const last = args.at(-1);
  if (last === undefined || !/^\d{1,3}$/.test(last) || recogniseIdentifier(whole, KINDS, country).ok) {
    const target = parseTarget(whole, country);
    return target.ok ? { ok: true, ...target.value, n: DEFAULT_N, note: null } : target;
  }
  const n = Number(last);
  if (n < 1) return { ok: false, message: `⚠️ Ask for at least 1 entry. Usage: ${USAGE}.` };
  const target = parseTarget(args.slice(0, -1).join(' '), country);
  if (!target.ok) return target;
  return {
    ok: true,
    ...target.value,
    n: Math.min(n, MAX_N),
    note: n > MAX_N ? `${MAX_N} is the most shown` : null,
  };
}

type Target = { target: string | null; label: string | null };

function parseTarget(
  typed: string,
  country: CountryCode,
): { ok: true; value: Target } | { ok: false; message: string } {
  const text = typed.trim();
  if (text === '') return { ok: true, value: { target: null, label: null } };
  const ref = recogniseIdentifier(text, KINDS, country);
  if (ref.ok) {
    const label = ref.value.kind === 'mpn' ? formatMpn(ref.value.value) : `SIM ${ref.value.value}`;
    return { ok: true, value: { target: ref.value.value, label } };
  }
  // Groups and other targets are recorded as typed.
  if (/^[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*$/.test(text))
    return { ok: true, value: { target: text, label: clip(text, ECHO_MAX) } };
  return { ok: false, message: `⚠️ ${esc(ref.error)} Usage: ${USAGE}.` };
}

export const audit: Subcommand = {
  name: 'audit',
  usage: 'audit [mpn] [n]',
  summary: 'Show the latest audit entries: who changed what, when (default 20, at most 100)',
  role: 'admin',
  async run(inv, deps) {
    const args = parseAuditArgs(inv.args, deps.config.defaultCountry);
    if (!args.ok) {
      await inv.reply(plain(args.message));
      return;
    }
    const entries = await deps.store.listAudit({
      ...(args.target ? { target: args.target } : {}),
      limit: args.n,
    });
    const pages = Math.max(1, Math.ceil(entries.length / AUDIT_PAGE_SIZE));
    const page = Math.min(Math.max(0, inv.page), pages - 1);
    const shown = entries.slice(page * AUDIT_PAGE_SIZE, (page + 1) * AUDIT_PAGE_SIZE);
    await inv.reply(
      auditMessage({
        lines: shown.map(auditLine),
        total: entries.length,
        page,
        targetLabel: args.label,
        notes: args.note ? [args.note] : [],
        prevValue: page > 0 ? rerunValue(inv.text, page - 1) : null,
        nextValue: page < pages - 1 ? rerunValue(inv.text, page + 1) : null,
        pageActionId: ACTION_PAGE,
      }),
    );
  },
};

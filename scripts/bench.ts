// `npm run bench`: one table of speed and memory figures, each beside its target and a reference
// measured in the same run. Printed, never asserted: a shared 2-core machine makes timing
// assertions flaky. PostgreSQL is measured too (BENCH_POSTGRES_URL, or a throwaway cluster).
import { benchCommands } from './bench-commands.js';
import { benchPorting } from './bench-porting.js';
import { buildOnce } from './bench-processes.js';
import { benchStartup } from './bench-startup.js';

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 10 ? 2 : 0)} ms`);
const mib = (n: number) => `${n.toFixed(0)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)} (${ms(a)} ÷ ${ms(b)})`;

const started = performance.now();
process.stdout.write(`onsim-bot benchmark · node ${process.version} · ${new Date().toISOString()}\n`);
const built = buildOnce();
const rows: [figure: string, measured: string, target: string, reference: string][] = [];
try {
  const c = await benchCommands(built);
  const s = await benchStartup(built);
  rows.push([
    '`/onsim account` ack p50, bot ÷ bare Bolt',
    ratio(c.ackMs.bot, c.ackMs.bare),
    '≤ 1.2',
    `bare Bolt ${ms(c.ackMs.bare)}`,
  ]);
  for (const p of await benchPorting({ quiet: true })) {
    rows.push(
      [
        `${p.engine}: ${p.ports.toLocaleString('en')} ports, poll, nothing changed ÷ fetch+parse`,
        `${ratio(p.unchangedMs, p.fetchParseMs)}; CPU ${(p.unchangedCpuMs / p.fetchParseCpuMs).toFixed(2)}`,
        '≤ 1.25',
        `bare fetch + JSON.parse ${ms(p.fetchParseMs)}`,
      ],
      [
        `${p.engine}: same, 1 % of ports changed`,
        `${ratio(p.changedMs, p.fetchParseMs)}; CPU ${(p.changedCpuMs / p.fetchParseCpuMs).toFixed(2)}`,
        '≤ 1.5',
        `bare fetch + JSON.parse ${ms(p.fetchParseMs)}`,
      ],
      [
        `${p.engine}: peak RSS during those polls`,
        mib(p.peakRssMiB),
        '≤ 300 MiB',
        `a bare fetch + JSON.parse process ${mib(p.fetchParsePeakRssMiB)}`,
      ],
    );
  }
  rows.push(
    [
      `RSS after ${c.lookups} look-ups (compiled bot)`,
      mib(c.rssMiB.bot),
      '≤ 120 MiB',
      `bare Bolt after as many acks ${mib(c.rssMiB.bare)}`,
    ],
    [
      `${c.burst} concurrent commands: slowest ack`,
      ms(c.burstSlowestAckMs.bot),
      '< 3 s (Slack)',
      `bare Bolt ${ms(c.burstSlowestAckMs.bare)}`,
    ],
    [`${c.burst} concurrent commands: until all answered`, ms(c.burstAllAnsweredMs), '—', '—'],
    [
      `views.open after \`/onsim provision\`, ONSIM at ${ms(c.onsimMs)}`,
      ms(c.provisionViewsOpenMs),
      '< 3 s (trigger_id)',
      `ONSIM ${ms(c.onsimMs)}`,
    ],
    [
      'start-up to /healthz, compiled',
      ms(s.compiled.startupMs),
      '≤ 2 s',
      `bare Bolt ${ms(s['bare Bolt'].startupMs)} · tsx ${ms(s.tsx.startupMs)}`,
    ],
    [
      'idle RSS, compiled',
      mib(s.compiled.idleRssMiB),
      '≤ 120 MiB',
      `bare Bolt ${mib(s['bare Bolt'].idleRssMiB)} · tsx ${mib(s.tsx.idleRssMiB)}`,
    ],
  );
} finally {
  built.remove();
}

const header: (typeof rows)[number] = ['figure', 'measured', 'target', 'reference (same run)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
const line = (r: readonly string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
process.stdout.write(
  `\n${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n\n` +
    `(2-core machine, shared; whole run ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
);

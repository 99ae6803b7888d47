// `npm run bench`: speed and memory figures, printed, never asserted (a shared 2-core machine
// makes timing assertions flaky). Set BENCH_POSTGRES_URL to also measure PostgreSQL.
import { benchCommands } from './bench-commands.js';
import { benchPorting } from './bench-porting.js';

process.stdout.write(`onsim-bot benchmark · node ${process.version} · ${new Date().toISOString()}\n\n`);
await benchCommands();
process.stdout.write('\n');
await benchPorting();

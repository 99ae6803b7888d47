// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) and copies every file that is not
// TypeScript (web assets, data files) beside the JavaScript, so that `node dist/index.js` runs
// with the production dependencies only.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleUiInto } from '../src/playground/assets.js';

const ROOT = join(import.meta.dirname, '..');

export function build(outDir = join(ROOT, 'dist')): void {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  cpSync(join(ROOT, 'src'), outDir, { recursive: true, filter: (from) => !from.endsWith('.ts') });
  // The playground's page runs in a browser: one bundled script instead of its TypeScript.
  bundleUiInto(join(outDir, 'playground', 'ui', 'app.js'));
}

/**
 * How production starts the compiled build: `npm run start:prod`'s words after `node` (its V8
 * flags, then `dist/index.js`). The Dockerfile's CMD says the same (test/deploy.test.ts), and the
 * bench starts the bot with them, so what is measured is what runs.
 */
export function startProdArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = (pkg.scripts['start:prod'] ?? '').trim().split(/\s+/);
  if (node !== 'node' || args.at(-1) !== 'dist/index.js') {
    throw new Error(`start:prod must be "node [flags] dist/index.js", got ${pkg.scripts['start:prod']}`);
  }
  return args;
}

if (import.meta.url === `file://${process.argv[1]}`) build();

// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) and copies every file that is not
// TypeScript (web assets, data files) beside the JavaScript, so that `node dist/index.js` runs
// with the production dependencies only.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
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

if (import.meta.url === `file://${process.argv[1]}`) build();

/**
 * The web UI's files: one script bundled from ui/main.ts (esbuild: at start-up under `npm start`,
 * once by `npm run build`; no CDN), its stylesheet and page, and Slack's emoji names
 * (emojibase-data's iamcal set).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';

const UI_DIR = join(import.meta.dirname, 'ui');

export interface UiAssets {
  html: string;
  script: string;
  css: string;
  /** Shortcode (without colons) → emoji. */
  emoji: Record<string, string>;
}

const fromHex = (hex: string) =>
  hex
    .split('-')
    .map((h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .join('');

/** Slack's own emoji names: iamcal's, as emojibase-data publishes them. */
export function slackEmoji(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const shortcodes = require('emojibase-data/en/shortcodes/iamcal.json') as Record<string, string | string[]>;
  const out: Record<string, string> = {};
  for (const [hex, names] of Object.entries(shortcodes)) {
    for (const name of Array.isArray(names) ? names : [names]) out[name] = fromHex(hex);
  }
  return out;
}

const bundleOptions = (entry: string): BuildOptions => ({
  entryPoints: [entry],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  logLevel: 'silent',
});

/** `npm run build`: the page's script, bundled once, beside the compiled playground. */
export function bundleUiInto(outfile: string): void {
  buildSync({ ...bundleOptions(join(UI_DIR, 'main.ts')), outfile });
}

export async function loadUiAssets(): Promise<UiAssets> {
  // The compiled build ships the bundle (see bundleUiInto); under `npm start` it is made now.
  const prebuilt = join(UI_DIR, 'app.js');
  let script: string;
  if (existsSync(prebuilt)) {
    script = readFileSync(prebuilt, 'utf8');
  } else {
    const bundle = await build({ ...bundleOptions(join(UI_DIR, 'main.ts')), write: false });
    script = bundle.outputFiles[0]?.text ?? '';
  }
  return {
    html: readFileSync(join(UI_DIR, 'index.html'), 'utf8'),
    css: readFileSync(join(UI_DIR, 'style.css'), 'utf8'),
    script,
    emoji: slackEmoji(),
  };
}

/**
 * The web UI's files: one script bundled at start-up from ui/main.ts (esbuild, a few hundred ms,
 * no CDN), its stylesheet and page, and Slack's emoji names (emojibase-data's iamcal set).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

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

export async function loadUiAssets(): Promise<UiAssets> {
  // Under `npm start` the TypeScript sources are here; in the compiled build, their JavaScript.
  const entry = [join(UI_DIR, 'main.ts'), join(UI_DIR, 'main.js')].find((p) => existsSync(p));
  if (!entry) throw new Error(`playground UI entry not found in ${UI_DIR}`);
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  return {
    html: readFileSync(join(UI_DIR, 'index.html'), 'utf8'),
    css: readFileSync(join(UI_DIR, 'style.css'), 'utf8'),
    script,
    emoji: slackEmoji(),
  };
}

// No container engine runs here: what can be checked without one is that the Dockerfile builds
// with exactly the npm scripts CI runs (so CI proves them), and that compose.yaml describes what
// the README's "Deploy" promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The `npm ci` and `npm run <script>` commands (not comments or echoes), in order. */
const npmSteps = (text: string) =>
  text
    .split('\n')
    .map((line) => /^\s*(?:RUN\s+)?npm (ci|run [\w:-]+)/.exec(line)?.[1])
    .filter((s): s is string => s !== undefined);

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds with the npm scripts CI runs, in the same order', () => {
    const steps = npmSteps(
      dockerfile
        .split('\n')
        .filter((l) => !l.trim().startsWith('#'))
        .join('\n'),
    );
    expect(steps).toEqual(['ci', 'run build']);
    const ci = npmSteps(read('.ci/run'));
    expect(ci.filter((s) => steps.includes(s))).toEqual(steps);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const step of steps.filter((s) => s.startsWith('run ')))
      expect(scripts[step.slice(4)]).toBeDefined();
  });

  it('runs the compiled build on production dependencies, as a non-root user, with a health check', () => {
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    // The same command as `npm run start:prod`, node flags included (README "Stack notes").
    const cmd = /^CMD (\[.*\])$/m.exec(final)?.[1];
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(JSON.parse(cmd ?? '[]')).toEqual(scripts['start:prod']?.trim().split(/\s+/));
    expect(JSON.parse(cmd ?? '[]')).toContain('dist/index.js');
    expect(final).not.toMatch(/tsx/);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, { environment?: Record<string, string>; build?: string; image?: string }>;
  };

  it('runs two replicas in HTTP mode on one PostgreSQL, behind a proxy that asks /readyz', () => {
    const bots = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    expect(bots).toHaveLength(2);
    for (const [, bot] of bots) {
      expect(bot.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(bot.environment?.SLACK_APP_TOKEN).toBe('');
    }
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    const caddyfile = read('compose.yaml');
    for (const [name] of bots) expect(caddyfile).toContain(`${name}:3000`);
    expect(caddyfile).toMatch(/health_uri \/readyz/);
  });
});

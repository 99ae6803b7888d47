/**
 * manifest.yml against Slack's manifest schema v1 (slackapi/manifest-schema, schemas/manifest.schema.1.0.0.json:
 * additionalProperties false everywhere, the lengths below) and against the code: the slash command and the
 * shortcut it declares are the ones the app handles, and each bot scope is used by a Web API call in src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { SUBCOMMANDS } from '../src/commands/index.js';
import { LOOKUP_SHORTCUT_ID } from '../src/commands/lookup-message.js';
import { PROVISION_SHORTCUT_ID } from '../src/views/provision.js';
import { SLASH_COMMAND } from '../src/views/rerun.js';
import { startTestBot, type TestBot, USERS } from './support/bot.js';
import { waitFor } from './support/wait.js';

const ROOT = join(import.meta.dirname, '..');
const manifestText = readFileSync(join(ROOT, 'manifest.yml'), 'utf8');

const text = (min: number, max: number) => z.string().min(min).max(max);
const httpUrl = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^https?:\/\//);
const flag = z.boolean().optional();
/** Parts of the schema this bot does not use: allowed by name, not checked further. */
const unused = z.unknown().optional();

const ManifestV1 = z.strictObject({
  $schema: z.string().optional(),
  _metadata: z
    .strictObject({
      schema_version: z.int().optional(),
      min_version: z.int().optional(),
      major_version: z.literal(1),
      minor_version: z.int().optional(),
    })
    .optional(),
  display_information: z.strictObject({
    name: text(1, 35),
    description: text(1, 140).optional(),
    background_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/)
      .optional(),
    long_description: text(175, 4000).optional(),
  }),
  features: z
    .strictObject({
      app_home: z
        .strictObject({
          home_tab_enabled: flag,
          messages_tab_enabled: flag,
          messages_tab_read_only_enabled: flag,
        })
        .optional(),
      bot_user: z.strictObject({ display_name: text(1, 80), always_online: flag }).optional(),
      shortcuts: z
        .array(
          z.strictObject({
            name: text(1, 24),
            type: z.enum(['message', 'global']),
            callback_id: text(1, 255),
            description: text(1, 150),
          }),
        )
        .min(1)
        .max(10)
        .optional(),
      slash_commands: z
        .array(
          z.strictObject({
            command: text(2, 32).regex(/^\//),
            url: httpUrl(3000).optional(),
            description: text(1, 2000),
            usage_hint: text(1, 1000).optional(),
            should_escape: flag,
          }),
        )
        .min(1)
        .max(50)
        .optional(),
      functions: unused,
      workflow_steps: unused,
      unfurl_domains: unused,
      assistant_view: unused,
      agent_view: unused,
    })
    .optional(),
  oauth_config: z
    .strictObject({
      redirect_urls: unused,
      scopes: z
        .strictObject({
          bot: z.array(text(1, 50)).max(255).optional(),
          user: z.array(text(1, 50)).max(255).optional(),
          bot_optional: z.array(text(1, 50)).max(255).optional(),
          user_optional: z.array(text(1, 50)).max(255).optional(),
        })
        .optional(),
      token_management_enabled: flag,
      pkce_enabled: flag,
    })
    .optional(),
  settings: z
    .strictObject({
      allowed_ip_address_ranges: unused,
      event_subscriptions: z
        .strictObject({
          request_url: httpUrl(3500).optional(),
          bot_events: z.array(text(1, 50)).max(100).optional(),
          user_events: z.array(text(1, 50)).max(100).optional(),
          metadata_subscriptions: unused,
        })
        .optional(),
      incoming_webhooks: unused,
      interactivity: z
        .strictObject({
          is_enabled: z.boolean(),
          request_url: httpUrl(3500).optional(),
          message_menu_options_url: httpUrl(3500).optional(),
        })
        .optional(),
      org_deploy_enabled: flag,
      socket_mode_enabled: flag,
      is_hosted: flag,
      token_rotation_enabled: flag,
      siws_links: unused,
      hermes_app_type: unused,
      function_runtime: unused,
      is_mcp_enabled: flag,
    })
    .optional(),
  app_directory: unused,
  functions: unused,
  workflows: unused,
  datastores: unused,
  outgoing_domains: unused,
  types: unused,
  external_auth_providers: unused,
  mcp_servers: unused,
});
type Manifest = z.infer<typeof ManifestV1>;

/** Every Web API method the code may call, with the bot scope Slack's method page asks for (null: none). */
const METHOD_SCOPES: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'conversations.open': 'im:write',
  'files.uploadV2': 'files:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'files.delete': 'files:write',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'views.open': null,
  'views.update': null,
  'views.push': null,
  'views.publish': null,
};

/**
 * Why each scope is there: what in src/ needs it. chat:write.public lets chat.postMessage reach public
 * channels the bot was never invited to (change records and porting alerts go to the channel where the
 * command was typed).
 */
const SCOPE_EVIDENCE: Record<string, RegExp> = {
  commands: /\bapp\.command\(/,
  'chat:write': /\.chat\.(postMessage|postEphemeral|update|delete)\(/,
  'chat:write.public': /\.chat\.postMessage\(/,
  'files:write': /\.files\.(uploadV2|getUploadURLExternal|completeUploadExternal|delete)\(/,
  'usergroups:read': /\.usergroups\.users\.list\(/,
  'users:read': /\.users\.info\(/,
  'im:write': /\.conversations\.open\(/,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

// The sandbox only talks to the bot over HTTP; its code never calls Slack.
const SRC = sourceFiles(join(ROOT, 'src'))
  .filter((f) => !f.includes(join('onsim', 'sandbox')))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

function webApiMethods(source: string): string[] {
  const called = [...source.matchAll(/\bclient\.([a-z]+(?:\.[a-zA-Z]+)+)\(/g)].map((m) => m[1] ?? '');
  const byName = [...source.matchAll(/\.apiCall\(\s*'([a-zA-Z.]+)'/g)].map((m) => m[1] ?? '');
  return [...new Set([...called, ...byName])].sort();
}

describe('manifest.yml', () => {
  const raw: unknown = parse(manifestText);
  const manifest: Manifest = ManifestV1.parse(raw);

  it('is a valid schema v1 manifest: known keys only, within Slack length limits', () => {
    const result = ManifestV1.safeParse(raw);
    expect(result.success ? [] : result.error.issues).toEqual([]);
    expect(manifest._metadata?.major_version).toBe(1);
    expect(manifest.display_information.name).toBe('ONSIM Ops');
    expect(manifest.display_information.description).toBeTruthy();
    expect(manifest.display_information.background_color).toMatch(/^#[0-9a-fA-F]{6}$/);
    expect(manifest.features?.bot_user?.display_name).toBeTruthy();
  });

  it('declares exactly the /onsim command the router handles, with a usage hint naming real subcommands', () => {
    const commands = manifest.features?.slash_commands ?? [];
    expect(commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    const hint = commands[0]?.usage_hint ?? '';
    expect(hint).toContain('help');
    const named = hint
      .split('·')
      .map((part) => part.trim().split(/\s+/)[0] ?? '')
      .filter((word) => word !== 'help');
    const known = SUBCOMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(named.filter((word) => !known.includes(word))).toEqual([]);
    // The router reads the text as typed (it undoes Slack's own escaping itself).
    expect(commands[0]?.should_escape).toBe(false);
  });

  it('runs in Socket Mode with interactivity, the Home tab, a read-only Messages tab and app_home_opened', () => {
    expect(manifest.settings?.socket_mode_enabled).toBe(true);
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.features?.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
    expect(manifest.settings?.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
    expect(SRC).toMatch(/app\.event\('app_home_opened'/);
    expect(SRC).toMatch(/events: \{ app_home_opened: onHomeOpened\(deps\) \}/);
  });

  it('declares the "Provision a SIM" and "Look up in ONSIM" shortcuts with the callback ids the code registers', () => {
    expect(manifest.features?.shortcuts).toEqual([
      expect.objectContaining({
        name: 'Provision a SIM',
        type: 'global',
        callback_id: PROVISION_SHORTCUT_ID,
      }),
      expect.objectContaining({
        name: 'Look up in ONSIM',
        type: 'message',
        callback_id: LOOKUP_SHORTCUT_ID,
      }),
    ]);
    // src/listeners.ts lists each shortcut's handler under its callback_id.
    expect(SRC).toMatch(/shortcuts: \{[^}]*\[PROVISION_SHORTCUT_ID\]: onProvisionShortcut\(deps\)/);
    expect(SRC).toMatch(/shortcuts: \{[^}]*\[LOOKUP_SHORTCUT_ID\]: onLookupShortcut\(deps\)/);
  });

  it('asks for each bot scope only because a Web API call in src/ needs it', () => {
    const scopes = manifest.oauth_config?.scopes?.bot ?? [];
    expect([...scopes].sort()).toEqual(
      [
        'commands',
        'chat:write',
        'chat:write.public',
        'files:write',
        'usergroups:read',
        'users:read',
        'im:write',
      ].sort(),
    );
    const unjustified = scopes.filter((scope) => {
      const evidence = SCOPE_EVIDENCE[scope];
      return !evidence?.test(SRC);
    });
    expect(unjustified).toEqual([]);
  });

  it('has a scope for every Web API method src/ calls', () => {
    const scopes = new Set(manifest.oauth_config?.scopes?.bot ?? []);
    const methods = webApiMethods(SRC);
    expect(methods).toContain('chat.postMessage');
    const unknown = methods.filter((m) => !(m in METHOD_SCOPES));
    // A new method: add it to METHOD_SCOPES with the scope its Slack docs page lists, and to manifest.yml.
    expect(unknown).toEqual([]);
    const missing = methods.filter((m) => {
      const scope = METHOD_SCOPES[m];
      return scope !== null && scope !== undefined && !scopes.has(scope);
    });
    expect(missing).toEqual([]);
  });
});

describe('manifest.yml against the running app', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('has a handler for its slash command and its shortcut', async () => {
    bot = await startTestBot();
    const manifest = ManifestV1.parse(parse(manifestText));
    const command = manifest.features?.slash_commands?.[0]?.command ?? '';
    const sent = await bot.driver.command('help', { command });
    expect(sent.status).toBe(200);
    await waitFor(() => bot?.slack.responsesTo(sent.responseUrl)[0], { what: 'the help answer' });

    const callbackId = manifest.features?.shortcuts?.[0]?.callback_id ?? '';
    const shortcut = await bot.driver.shortcut(callbackId, { user: USERS.operator });
    expect(shortcut.status).toBe(200);
    await waitFor(() => bot?.slack.callsTo('views.open')[0], { what: 'the provisioning modal to open' });
  });
});

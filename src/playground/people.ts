/** The playground's workspace: three people, one per role, and the channels an ops team has. */
import { LOOKUP_SHORTCUT_ID } from '../commands/lookup-message.js';
import type { WorkspaceSeed } from '../slack-emulator/workspace.js';
import { PROVISION_SHORTCUT_ID } from '../views/provision.js';

export const PEOPLE = {
  admin: { id: 'U0ADMIN01', name: 'ada', realName: 'Ada Admin', title: 'admin' },
  operator: { id: 'U0OPER001', name: 'omar', realName: 'Omar Operator', title: 'operator' },
  viewer: { id: 'U0VIEW001', name: 'vic', realName: 'Vic Viewer', title: 'viewer' },
} as const;

export const CHANNELS = {
  ops: { id: 'C0OPS0001', name: 'ops', kind: 'public', botMember: true },
  porting: { id: 'C0PORT001', name: 'porting', kind: 'public', botMember: true },
  provisioning: { id: 'C0PROV001', name: 'provisioning', kind: 'public', botMember: true },
  /** Private, and the bot is not in it until someone types `/invite @onsim`. */
  management: { id: 'C0MGMT001', name: 'management', kind: 'private', botMember: false },
} as const;

export const PLAYGROUND_WORKSPACE: WorkspaceSeed = {
  people: Object.values(PEOPLE).map((p) => ({ ...p })),
  channels: Object.values(CHANNELS).map((c) => ({ ...c })),
};

/** The shortcuts manifest.yml declares (a test keeps the two alike). */
export const SHORTCUTS = [
  { type: 'global', callbackId: PROVISION_SHORTCUT_ID, name: 'Provision a SIM' },
  { type: 'message', callbackId: LOOKUP_SHORTCUT_ID, name: 'Look up in ONSIM' },
] as const;

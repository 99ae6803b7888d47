/**
 * The emulated workspace: people, channels (with members) and what was said in them. The
 * emulator's Web API methods and the playground UI both read and change it.
 */

export const TEAM_ID = 'T1';
export const BOT = { user_id: 'UBOT', bot_id: 'BBOT', name: 'onsim' } as const;

export interface Person {
  id: string;
  name: string;
  realName: string;
  /** What the playground's person switcher says about them (e.g. "admin"). */
  title?: string;
}

export interface Channel {
  id: string;
  name: string;
  kind: 'public' | 'private' | 'im';
  members: Set<string>;
  /** For a DM: the person the bot talks to. */
  with?: string;
}

export interface FileRef {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
  url: string;
  altText?: string;
}

export interface ChatMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks: unknown[];
  /** Set for an ephemeral message: the only person who sees it. */
  ephemeralTo?: string;
  files?: FileRef[];
  edited?: boolean;
}

export interface WorkspaceSeed {
  people: Person[];
  channels: { id: string; name: string; kind: 'public' | 'private'; botMember: boolean }[];
}

export class Workspace {
  readonly people = new Map<string, Person>();
  readonly channels = new Map<string, Channel>();
  /** Every message by channel, in ts order (threads included, marked by threadTs). */
  private readonly byChannel = new Map<string, ChatMessage[]>();

  constructor(private readonly seed: WorkspaceSeed = { people: [], channels: [] }) {
    this.reset();
  }

  reset(): void {
    this.people.clear();
    this.channels.clear();
    this.byChannel.clear();
    for (const p of this.seed.people) this.people.set(p.id, { ...p });
    for (const c of this.seed.channels) {
      const members = new Set(this.seed.people.map((p) => p.id));
      if (c.botMember) members.add(BOT.user_id);
      this.channels.set(c.id, { id: c.id, name: c.name, kind: c.kind, members });
    }
    for (const p of this.seed.people) this.dmWith(p.id);
  }

  /** The bot's DM with a person, created on first use (as conversations.open does). */
  dmWith(userId: string): Channel {
    const id = `D${userId}`;
    let dm = this.channels.get(id);
    if (!dm) {
      dm = { id, name: userId, kind: 'im', members: new Set([userId, BOT.user_id]), with: userId };
      this.channels.set(id, dm);
    }
    return dm;
  }

  /** An unknown channel id, for a lenient emulator: a public channel the bot is in. */
  adopt(id: string): Channel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = { id, name: id.toLowerCase(), kind: 'public', members: new Set([BOT.user_id]) };
      this.channels.set(id, channel);
    }
    return channel;
  }

  add(message: ChatMessage): ChatMessage {
    const list = this.byChannel.get(message.channel) ?? [];
    list.push(message);
    this.byChannel.set(message.channel, list);
    return message;
  }

  find(channel: string, ts: string): ChatMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** Finds a message by ts in any channel (an ephemeral message's response_url names no channel). */
  findAnywhere(ts: string): ChatMessage | undefined {
    for (const list of this.byChannel.values()) {
      const found = list.find((m) => m.ts === ts);
      if (found) return found;
    }
    return undefined;
  }

  remove(channel: string, ts: string): ChatMessage | undefined {
    const list = this.byChannel.get(channel);
    const at = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || at < 0) return undefined;
    return list.splice(at, 1)[0];
  }

  /** What this person sees in a channel: every shared message and their own ephemeral ones. */
  visibleTo(channel: string, userId: string): ChatMessage[] {
    return (this.byChannel.get(channel) ?? []).filter((m) => !m.ephemeralTo || m.ephemeralTo === userId);
  }

  all(): ChatMessage[] {
    return [...this.byChannel.values()].flat();
  }
}

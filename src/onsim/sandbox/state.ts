// The sandbox's in-memory world: what ONSIM would hold for one reseller. Internal records use
// camelCase; the wire shapes (snake_case, ONSIM's names) are built in routes.ts. Ports are the
// exception: they are kept in their wire shape, as ONSIM returns them verbatim.

export type OnOff = 'ON' | 'OFF';
export type SimType = 'eSIM' | 'pSIM';
/** CEASED SIMs stay in the map (so they cannot be provisioned again) but are in no list. */
export type SimState = 'ACTIVE' | 'RESERVED' | 'CEASED';
export type EsimStatus = 'ready to install' | 'installed';

export const PORT_STATUSES = ['INITIAL', 'IN PROGRESS', 'FAILED', 'COMPLETE', 'CLOSED'] as const;
export type PortStatus = (typeof PORT_STATUSES)[number];
export const HOME_LOCATIONS = ['GBR', 'USA', 'FRA'] as const;
export const GROUP_HOME_LOCATIONS = ['GBR', 'USA', 'GBR,USA'] as const;
/** `mobile_data` of provision-onsim, and the catalogue bundle each one applies. */
export const MOBILE_DATA_BUNDLES = {
  'BACKGROUND-ONLY': 'BACKGROUND-ONLY',
  '2GB': 'DATA-2GB',
  '4GB': 'DATA-4GB',
  '10GB': 'DATA-10GB',
  '20GB': 'DATA-20GB',
  UNLIMITED: 'UNLIMITED',
} as const;

export interface Product {
  id: number;
  name: string;
  description: string;
}

export interface Bundle {
  sku: string;
  /** Short label, shown as the account's `bundle_name` (e.g. "10GB"). */
  name: string;
  description: string;
  /** Monthly allowance in MB; BASE is 0, UNLIMITED carries its fair-use cap. */
  allowanceMb: number;
}

export interface Group {
  name: string;
  description?: string;
  homeLocation: string;
  addressLine1: string;
  addressLine2?: string;
  city?: string;
  country?: string;
  postCode?: string;
}

export interface Esim {
  /** The current activation code; a refresh replaces it and the old one stops working. */
  code: string;
  status: EsimStatus;
  enabledOnDevice: boolean;
}

export interface Sim {
  iccid: string;
  type: SimType;
  state: SimState;
  /** Set while ACTIVE. */
  iAccount?: string;
  /** eSIMs only, once provisioned. */
  esim?: Esim;
}

export interface PhoneNumber {
  mpn: string;
  state: 'ACTIVE' | 'RESERVED';
  /** Set while ACTIVE. */
  iAccount?: string;
}

export interface Services {
  mobileData: OnOff;
  mobileHotspot: OnOff;
  mobileMessaging: OnOff;
  mobileVoice: OnOff;
}

export interface Subscriber {
  iAccount: string;
  mpn: string;
  iccid: string;
  state: 'PROVISIONED';
  /** Own-PBX subscribers have no name, email or group. */
  firstName?: string;
  lastName?: string;
  email?: string;
  group?: string;
  homeLocation?: string;
  product?: number;
  /** A catalogue bundle SKU. */
  bundle: string;
  dataUsedMb: number;
  services: Services;
  voiceRecording: OnOff;
  smsRecording: OnOff;
  pbxUser: string;
  pbxPassword: string;
}

/** A port request exactly as ONSIM returns it. `number` is the ONSIM MPN that receives the
 * port, `portinNumber` the number brought in from the losing network. */
export interface Port {
  trID: string;
  number: string;
  orderDate: string;
  PAC: string;
  portinDate: string;
  portinNumber: string;
  resellerId: string;
  status: PortStatus;
  type: 'PORT-IN';
  updatedDate: string;
  validUntil: string;
}

export interface QrImage {
  code: string;
  signature: string;
  expiresAt: number;
}

export interface SandboxState {
  catalogue: { products: Product[]; bundles: Bundle[] };
  groups: Group[];
  /** By i_account. */
  subscribers: Map<string, Subscriber>;
  /** By ICCID (19 digits). */
  sims: Map<string, Sim>;
  /** By MPN. */
  numbers: Map<string, PhoneNumber>;
  /** By trID. */
  ports: Map<string, Port>;
  /** Generated QR images, by the UUID in their URL. */
  qrImages: Map<string, QrImage>;
  nextAccountId: number;
  nextPortId: number;
  /** The current data-bundle period of every line ('YYYY-MM-DD HH:MM:SS'). */
  bundlePeriod: { from: string; to: string };
  /** Serial of the next SIM added through /__admin/subscribers. */
  nextSimSerial: number;
}

export function subscriberByMpn(state: SandboxState, mpn: string): Subscriber | undefined {
  const n = state.numbers.get(mpn);
  return n?.iAccount === undefined ? undefined : state.subscribers.get(n.iAccount);
}

export const isRecorded = (s: Subscriber): boolean => s.voiceRecording === 'ON' || s.smsRecording === 'ON';

// ---- Deterministic randomness ---------------------------------------------------------------

export interface Rng {
  /** In [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  chars(alphabet: string, length: number): string;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every run. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (p) => next() < p,
    chars: (alphabet, length) => {
      // One flat string rather than a rope of one-character pieces (cheaper to keep by the 100,000).
      const codes: number[] = [];
      for (let i = 0; i < length; i++) codes.push(alphabet.charCodeAt(int(alphabet.length)));
      return String.fromCharCode(...codes);
    },
  };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

export const SMDP_ADDRESS = 'smdp.sandbox.onsim.example';
export const SIP_DOMAIN = 'sip.onsim.example';
export const RESELLER_ID = '2741';

export const newEsimCode = (rng: Rng): string => `LPA:1$${SMDP_ADDRESS}$${rng.chars(UPPER + DIGITS, 24)}`;
export const newPbxPassword = (rng: Rng): string =>
  rng.chars(`${UPPER}abcdefghijkmnopqrstuvwxyz${DIGITS}`, 12);
/** A UK PAC: three letters and six digits. */
export const newPac = (rng: Rng): string => rng.chars(UPPER, 3) + rng.chars(DIGITS, 6);

// ---- Dates as ONSIM writes them (UTC) ---------------------------------------------------------
// Day strings are cached and times computed by arithmetic: seeding 100,000 ports stays fast.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

interface Day {
  /** 'YYYY-MM-DD' */
  iso: string;
  /** 'Jan 2, 2025' */
  label: string;
}
const days = new Map<number, Day>();

function day(ms: number): Day {
  const n = Math.floor(ms / DAY_MS);
  let d = days.get(n);
  if (!d) {
    const date = new Date(n * DAY_MS);
    d = {
      iso: date.toISOString().slice(0, 10),
      label: `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`,
    };
    days.set(n, d);
  }
  return d;
}

/** 'YYYY-MM-DD' */
export const isoDay = (ms: number): string => day(ms).iso;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 'Jan 2, 2025 1:20:30 PM' */
export function formatUpdatedDate(ms: number): string {
  const secs = Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / 1000);
  const h = Math.floor(secs / 3600);
  return `${day(ms).label} ${h % 12 || 12}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)} ${h < 12 ? 'AM' : 'PM'}`;
}

export const addDays = (ms: number, n: number): number => ms + n * DAY_MS;

/** Ports are scheduled for working days: skips Saturdays and Sundays. */
export function addWorkingDays(ms: number, n: number): number {
  let t = ms;
  let left = n;
  while (left > 0) {
    t += DAY_MS;
    // Day 0 of the epoch was a Thursday (4).
    const weekday = (Math.floor(t / DAY_MS) + 4) % 7;
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return t;
}

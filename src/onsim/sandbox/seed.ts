/**
 * The sandbox's starting data, the same for the same seed on every run.
 *
 * Well-known fixtures (the same for every seed, so tests and demos can rely on them):
 * - 447700900123  Olivia Bennett, ACME_LOGISTICS, installed eSIM, DATA-10GB, recording off
 * - 447700900124  Harry Whitfield, ACME_LOGISTICS, eSIM ready to install, UNLIMITED
 * - 447700900125  Amelia Okafor, Brightwater-Legal, physical SIM, BASE (no data)
 * - 447700900126  George Lindqvist, Kestrel-Finance, eSIM, voice and SMS recording on
 * - 8944530100000005000  the first RESERVED eSIM: the one provisioning takes when no ICCID is sent
 * - 8944530200000005000  a RESERVED physical SIM
 * - 447700900201  a RESERVED number, free to provision
 * - ports 1001 (INITIAL), 1004 (IN PROGRESS), 1007 (COMPLETE), 1010 (FAILED), 1013 (CLOSED)
 */

import { makePort } from './ports.js';
import {
  type Bundle,
  createRng,
  type Group,
  newEsimCode,
  newPbxPassword,
  type PortStatus,
  type Product,
  type Rng,
  type SandboxState,
  type Sim,
  type Subscriber,
} from './state.js';

export const DEFAULT_SEED = 42;

export const SANDBOX_FIXTURES = {
  installedEsimMpn: '447700900123',
  installedEsimIccid: '8944530100000001022',
  installedEsimAccount: '204122',
  readyEsimMpn: '447700900124',
  readyEsimIccid: '8944530100000001023',
  psimMpn: '447700900125',
  psimIccid: '8944530200000001024',
  recordedMpn: '447700900126',
  /** Handed out first when a provision names no ICCID. */
  reservedEsimIccid: '8944530100000005000',
  reservedPsimIccid: '8944530200000005000',
  reservedNumber: '447700900201',
  /** A number in no list at all. */
  unknownMpn: '447700900999',
  groupName: 'ACME_LOGISTICS',
  productId: 18,
  openPortId: '1001',
  inProgressPortId: '1004',
  completePortId: '1007',
  failedPortId: '1010',
  closedPortId: '1013',
} as const;

export const SEED_COUNTS = {
  subscribers: 60,
  reservedEsims: 15,
  reservedPsims: 5,
  reservedNumbers: 10,
  portsPerState: { INITIAL: 3, 'IN PROGRESS': 3, COMPLETE: 3, FAILED: 3, CLOSED: 2 },
} as const;

/** "Now" in the seeded world: the bundle period runs through November 2026. */
const SEED_NOW = Date.UTC(2026, 10, 20, 10, 30, 0);
export const BUNDLE_PERIOD = { from: '2026-11-01 00:00:00', to: '2026-12-01 00:00:00' } as const;

/** 19 digits (the printed ICCID without its Luhn digit): batch 10 holds eSIMs, batch 20 physical SIMs. */
export const iccidFor = (type: 'eSIM' | 'pSIM', serial: number): string =>
  `8944530${type === 'eSIM' ? '10' : '20'}${String(serial).padStart(10, '0')}`;

const PRODUCTS: Product[] = [
  {
    id: 18,
    name: 'ONSIM UC Standard',
    description: 'Mobile line with ONSIM UC: calls, SMS and the ONSIM app',
  },
  {
    id: 19,
    name: 'ONSIM UC Professional',
    description: 'UC Standard plus call queues, voicemail to email and CRM links',
  },
  {
    id: 21,
    name: 'ONSIM UC Compliance',
    description: 'UC Professional with FCA-grade voice and SMS recording',
  },
  {
    id: 24,
    name: 'ONSIM Mobile Only',
    description: 'Mobile line for your own PBX (SIP credentials, no UC seat)',
  },
  {
    id: 27,
    name: 'ONSIM UC Contact Centre',
    description: 'UC Professional with wallboards and supervisor tools',
  },
];

const BUNDLES: Bundle[] = [
  { sku: 'BASE', name: 'No data', description: 'Calls and SMS only, mobile data barred', allowanceMb: 0 },
  {
    sku: 'BACKGROUND-ONLY',
    name: 'Background only',
    description: 'Enough data for push notifications and app sync',
    allowanceMb: 250,
  },
  { sku: 'DATA-2GB', name: '2GB', description: '2 GB UK and EU data per month', allowanceMb: 2048 },
  { sku: 'DATA-4GB', name: '4GB', description: '4 GB UK and EU data per month', allowanceMb: 4096 },
  { sku: 'DATA-10GB', name: '10GB', description: '10 GB UK and EU data per month', allowanceMb: 10240 },
  { sku: 'DATA-20GB', name: '20GB', description: '20 GB UK and EU data per month', allowanceMb: 20480 },
  {
    sku: 'UNLIMITED',
    name: 'Unlimited',
    description: 'Unlimited UK data (500 GB fair use)',
    allowanceMb: 512000,
  },
];

const GROUPS: (Group & { domain: string })[] = [
  {
    name: 'ACME_LOGISTICS',
    description: 'Acme Logistics Ltd: drivers and depot staff',
    homeLocation: 'GBR',
    addressLine1: 'Unit 4, Trafford Park Distribution Centre',
    addressLine2: 'Westinghouse Road',
    city: 'Manchester',
    country: 'United Kingdom',
    postCode: 'M17 1PY',
    domain: 'acmelogistics.example',
  },
  {
    name: 'Brightwater-Legal',
    description: 'Brightwater Legal LLP',
    homeLocation: 'GBR',
    addressLine1: '3rd Floor, 12 Fetter Lane',
    city: 'London',
    country: 'United Kingdom',
    postCode: 'EC4A 1BR',
    domain: 'brightwaterlegal.example',
  },
  {
    name: 'Kestrel-Finance',
    description: 'Kestrel Finance Ltd (FCA regulated: recording required)',
    homeLocation: 'GBR,USA',
    addressLine1: '40 Charlotte Square',
    city: 'Edinburgh',
    country: 'United Kingdom',
    postCode: 'EH2 4HQ',
    domain: 'kestrelfinance.example',
  },
  {
    name: 'Northfield_Dental',
    description: 'Northfield Dental Practice',
    homeLocation: 'GBR',
    addressLine1: '27 Otley Road',
    addressLine2: 'Headingley',
    city: 'Leeds',
    country: 'United Kingdom',
    postCode: 'LS6 3AA',
    domain: 'northfielddental.example',
  },
  {
    name: 'HarbourView-Estates',
    description: 'Harbour View Estates: lettings and sales',
    homeLocation: 'GBR',
    addressLine1: 'Canons House, Canons Way',
    city: 'Bristol',
    country: 'United Kingdom',
    postCode: 'BS1 5LL',
    domain: 'harbourview.example',
  },
  {
    name: 'ThamesValley_IT',
    description: 'Thames Valley IT Services',
    homeLocation: 'USA',
    addressLine1: 'Davidson House, Forbury Square',
    city: 'Reading',
    country: 'United Kingdom',
    postCode: 'RG1 3EU',
    domain: 'thamesvalleyit.example',
  },
];

const FIRST_NAMES = (
  'Oliver Amelia Jack Isla Harry Ava George Mia Noah Ivy Charlie Lily Jacob Freya Thomas Sophie ' +
  'Oscar Grace William Evie James Poppy Arthur Ella Alfie Chloe Rhys Siobhan Callum Priya Aisha ' +
  'Hamish Eilidh Dylan Niamh Rohan Fatima Declan Megan Samuel'
).split(' ');
const LAST_NAMES = (
  'Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans ' +
  'Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper ' +
  "Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan MacDonald O'Brien " +
  'Campbell Kaur Nowak Fraser'
).split(' ');

interface FixtureSubscriber {
  first: string;
  last: string;
  group: string;
  type: 'eSIM' | 'pSIM';
  installed: boolean;
  bundle: string;
  recording: 'ON' | 'OFF';
}

/** Subscriber index → fixed properties; index 22 has MPN 447700900123. */
const FIXED: Record<number, FixtureSubscriber> = {
  22: {
    first: 'Olivia',
    last: 'Bennett',
    group: 'ACME_LOGISTICS',
    type: 'eSIM',
    installed: true,
    bundle: 'DATA-10GB',
    recording: 'OFF',
  },
  23: {
    first: 'Harry',
    last: 'Whitfield',
    group: 'ACME_LOGISTICS',
    type: 'eSIM',
    installed: false,
    bundle: 'UNLIMITED',
    recording: 'OFF',
  },
  24: {
    first: 'Amelia',
    last: 'Okafor',
    group: 'Brightwater-Legal',
    type: 'pSIM',
    installed: false,
    bundle: 'BASE',
    recording: 'OFF',
  },
  25: {
    first: 'George',
    last: 'Lindqvist',
    group: 'Kestrel-Finance',
    type: 'eSIM',
    installed: true,
    bundle: 'DATA-20GB',
    recording: 'ON',
  },
};

const emailLocal = (first: string, last: string) => `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');

function seedSubscriber(rng: Rng, index: number, state: SandboxState): void {
  const fixed = FIXED[index];
  const groupSpec = fixed ? GROUPS.find((g) => g.name === fixed.group) : rng.pick(GROUPS);
  if (!groupSpec) throw new Error(`unknown fixture group ${fixed?.group}`);
  const first = fixed?.first ?? rng.pick(FIRST_NAMES);
  const last = fixed?.last ?? rng.pick(LAST_NAMES);
  const type = fixed?.type ?? (rng.chance(0.7) ? 'eSIM' : 'pSIM');
  const bundleSku = fixed?.bundle ?? rng.pick(BUNDLES).sku;
  const bundle = BUNDLES.find((b) => b.sku === bundleSku);
  if (!bundle) throw new Error(`unknown fixture bundle ${bundleSku}`);
  const regulated = groupSpec.name === 'Kestrel-Finance';
  const recording = fixed?.recording ?? (regulated || rng.chance(0.2) ? 'ON' : 'OFF');

  const iAccount = String(204100 + index);
  const mpn = `447700900${101 + index}`;
  const iccid = iccidFor(type, 1000 + index);
  const sim: Sim = { iccid, type, state: 'ACTIVE', iAccount };
  if (type === 'eSIM') {
    const installed = fixed?.installed ?? rng.chance(0.75);
    sim.esim = {
      code: newEsimCode(rng),
      status: installed ? 'installed' : 'ready to install',
      enabledOnDevice: installed && (fixed !== undefined || rng.chance(0.9)),
    };
  }
  const subscriber: Subscriber = {
    iAccount,
    mpn,
    iccid,
    state: 'PROVISIONED',
    firstName: first,
    lastName: last,
    email: `${emailLocal(first, last)}@${groupSpec.domain}`,
    group: groupSpec.name,
    homeLocation: groupSpec.homeLocation === 'USA' ? 'USA' : 'GBR',
    product: regulated ? 21 : rng.pick([18, 18, 18, 19, 27]),
    bundle: bundle.sku,
    dataUsedMb: bundle.allowanceMb === 0 ? 0 : rng.int(Math.min(bundle.allowanceMb, 30_000)),
    services: {
      mobileData: bundle.sku === 'BASE' ? 'OFF' : 'ON',
      mobileHotspot: !fixed && rng.chance(0.3) ? 'ON' : 'OFF',
      mobileMessaging: 'ON',
      mobileVoice: fixed || rng.chance(0.95) ? 'ON' : 'OFF',
    },
    voiceRecording: recording,
    smsRecording: recording === 'ON' && (fixed || rng.chance(0.8)) ? 'ON' : 'OFF',
    pbxUser: `ONSIM${iccid}`,
    pbxPassword: newPbxPassword(rng),
  };
  state.sims.set(iccid, sim);
  state.numbers.set(mpn, { mpn, state: 'ACTIVE', iAccount });
  state.subscribers.set(iAccount, subscriber);
}

export function seedState(seed: number = DEFAULT_SEED): SandboxState {
  const rng = createRng(seed);
  const state: SandboxState = {
    catalogue: { products: PRODUCTS.map((p) => ({ ...p })), bundles: BUNDLES.map((b) => ({ ...b })) },
    groups: GROUPS.map(({ domain: _domain, ...g }) => ({ ...g })),
    subscribers: new Map(),
    sims: new Map(),
    numbers: new Map(),
    ports: new Map(),
    qrImages: new Map(),
    nextAccountId: 204100 + SEED_COUNTS.subscribers,
    nextPortId: 1001,
    bundlePeriod: { ...BUNDLE_PERIOD },
    nextSimSerial: 20_000,
  };

  for (let i = 0; i < SEED_COUNTS.subscribers; i++) seedSubscriber(rng, i, state);
  for (let i = 0; i < SEED_COUNTS.reservedEsims; i++) {
    const iccid = iccidFor('eSIM', 5000 + i);
    state.sims.set(iccid, { iccid, type: 'eSIM', state: 'RESERVED' });
  }
  for (let i = 0; i < SEED_COUNTS.reservedPsims; i++) {
    const iccid = iccidFor('pSIM', 5000 + i);
    state.sims.set(iccid, { iccid, type: 'pSIM', state: 'RESERVED' });
  }
  for (let i = 0; i < SEED_COUNTS.reservedNumbers; i++) {
    const mpn = `447700900${201 + i}`;
    state.numbers.set(mpn, { mpn, state: 'RESERVED' });
  }

  const activeMpns = [...state.subscribers.values()].map((s) => s.mpn);
  for (const [status, count] of Object.entries(SEED_COUNTS.portsPerState) as [PortStatus, number][]) {
    for (let i = 0; i < count; i++) {
      const trID = String(state.nextPortId++);
      // Open ports were ordered in the last few days, settled ones up to seven weeks ago.
      const daysAgo = status === 'INITIAL' || status === 'IN PROGRESS' ? 1 + rng.int(4) : 7 + rng.int(42);
      state.ports.set(
        trID,
        makePort(rng, {
          trID,
          number: rng.pick(activeMpns),
          // Port-in numbers come from the top of the drama range, away from the seeded lines.
          portinNumber: `447700900${600 + rng.int(400)}`,
          status,
          orderedAt: SEED_NOW - daysAgo * 86_400_000 - rng.int(8 * 3_600_000),
        }),
      );
    }
  }
  return state;
}

/** What a test or demo may set on a subscriber it adds; the rest gets sensible values. */
export interface NewSandboxSubscriber {
  firstName: string;
  lastName: string;
  email?: string;
  group?: string;
  /** Default: the next free number from 447700950000. */
  mpn?: string;
  /** A catalogue SKU; default DATA-10GB. */
  bundle?: string;
  dataUsedMb?: number;
}

/** Adds an active subscriber on a physical SIM (so no eSIM install is pending). */
export function addSubscriber(state: SandboxState, rng: Rng, fields: NewSandboxSubscriber): Subscriber {
  const bundle = state.catalogue.bundles.find((b) => b.sku === (fields.bundle ?? 'DATA-10GB'));
  if (!bundle) throw new Error(`no bundle ${fields.bundle} in the catalogue`);
  const group = fields.group ?? 'ACME_LOGISTICS';
  if (!state.groups.some((g) => g.name === group)) throw new Error(`no group named ${group}`);
  let mpn = fields.mpn;
  if (mpn === undefined) {
    let n = 950_000 + state.subscribers.size;
    while (state.numbers.has(`447700${n}`)) n++;
    mpn = `447700${n}`;
  }
  if (!/^\d{8,15}$/.test(mpn)) throw new Error('mpn must be 8 to 15 digits');
  if (state.numbers.get(mpn)?.state === 'ACTIVE') throw new Error(`${mpn} is already active`);
  const iAccount = String(state.nextAccountId++);
  const iccid = iccidFor('pSIM', state.nextSimSerial++);
  state.sims.set(iccid, { iccid, type: 'pSIM', state: 'ACTIVE', iAccount });
  state.numbers.set(mpn, { mpn, state: 'ACTIVE', iAccount });
  const subscriber: Subscriber = {
    iAccount,
    mpn,
    iccid,
    state: 'PROVISIONED',
    firstName: fields.firstName,
    lastName: fields.lastName,
    email: fields.email ?? `${emailLocal(fields.firstName, fields.lastName) || 'user'}@example.com`,
    group,
    homeLocation: 'GBR',
    product: 18,
    bundle: bundle.sku,
    dataUsedMb: fields.dataUsedMb ?? 0,
    services: { mobileData: 'ON', mobileHotspot: 'OFF', mobileMessaging: 'ON', mobileVoice: 'ON' },
    voiceRecording: 'OFF',
    smsRecording: 'OFF',
    pbxUser: `ONSIM${iccid}`,
    pbxPassword: newPbxPassword(rng),
  };
  state.subscribers.set(iAccount, subscriber);
  return subscriber;
}

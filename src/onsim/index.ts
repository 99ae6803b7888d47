export type {
  Account,
  DataBundle,
  EsimInfo,
  EsimQuery,
  MobileSettings,
  RecordingSettings,
} from './account.js';
export {
  createOnsimClient,
  type OnsimAccount,
  type OnsimClient,
  type OnsimNumbers,
  type OnsimPorting,
  type OnsimReseller,
  type OnsimSims,
} from './client.js';
export * from './errors.js';
export type { NumberEntry, NumberState } from './numbers.js';
export { PORT_STATES, type Port, type PortState, type PortStateFilter } from './porting.js';
export {
  type Catalogue,
  type Group,
  HOME_LOCATIONS,
  MOBILE_DATA_OPTIONS,
  type NewGroup,
  type ProvisionOnsim,
  type ProvisionOwnPbx,
  type ProvisionResult,
  type Subscriber,
} from './reseller.js';
export type { Sim, SimState, SimType } from './sims.js';

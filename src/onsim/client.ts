import * as account from './account.js';
import { createOnsimHttp, type OnsimHttpOptions, type OnsimStreamingHttp } from './http.js';
import * as numbers from './numbers.js';
import * as porting from './porting.js';
import * as reseller from './reseller.js';
import * as sims from './sims.js';

/**
 * The ONSIM reseller API, grouped as its reference is (`../shared/onsim-api/REFERENCE.md`).
 * Every operation validates its input before sending (an `OnsimInputError` says what is wrong)
 * and parses the answer with the schema beside it in the resource's module.
 */
export interface OnsimClient {
  readonly account: OnsimAccount;
  readonly reseller: OnsimReseller;
  readonly porting: OnsimPorting;
  readonly sims: OnsimSims;
  readonly numbers: OnsimNumbers;
}

/** One line, by its MPN (or ICCID where ONSIM asks for it). */
export interface OnsimAccount {
  /** `GET /account/{mpn}`: services, data bundle, recording flags. */
  get(mpn: string): Promise<account.Account>;
  /** `POST /account/esim`: the eSIM's activation code and install status (a read). */
  getEsim(query: account.EsimQuery): Promise<account.EsimInfo>;
  /** `POST /account/esim` with `refresh_code: 1`: a new activation code; the old one stops working. */
  refreshEsimCode(query: account.EsimQuery): Promise<account.EsimInfo>;
  /** `POST /account/esim/generate`: the URL of a QR image for an activation code. */
  generateQr(esimCode: string): Promise<string>;
  /** `POST /account/{mpn}/bundle/{bundle}`: ONSIM's confirmation text. */
  updateBundle(mpn: string, bundle: string): Promise<string>;
  /** `POST /account/{mpn}/recording`: voice and SMS recording on or off. */
  setRecording(mpn: string, settings: account.RecordingSettings): Promise<string>;
  /** `POST /account/pbxinfo/{mpn}`: mobile services and the subscriber's details. */
  updateMobileSettings(mpn: string, settings: account.MobileSettings): Promise<string>;
  /** `DELETE /account` with the ICCID: ceases the SIM for good. */
  cease(iccid: string): Promise<string>;
}

/** What the reseller owns: provisioning, the catalogue, subscribers and groups. */
export interface OnsimReseller {
  /** `POST /reseller/provision`: a line on the reseller's own PBX. */
  provisionOwnPbx(input: reseller.ProvisionOwnPbx): Promise<reseller.ProvisionResult>;
  /** `POST /reseller/provision-onsim`: a line on ONSIM's cloud telephony. */
  provisionOnsim(input: reseller.ProvisionOnsim): Promise<reseller.ProvisionResult>;
  /** `GET /reseller/catalogue`: products and data bundles. */
  getCatalogue(): Promise<reseller.Catalogue>;
  /** `POST /reseller/subscribers` (a read), optionally filtered. */
  listSubscribers(filter?: reseller.SubscriberFilter): Promise<reseller.Subscriber[]>;
  /** `GET /reseller/groups`. */
  listGroups(): Promise<reseller.Group[]>;
  /** `POST /reseller/groups`: ONSIM's confirmation text. */
  addGroup(group: reseller.NewGroup): Promise<string>;
}

/** Number-porting requests. */
export interface OnsimPorting {
  /** `GET /port/all/{state}` (default `ALL`). */
  list(state?: porting.PortStateFilter): Promise<porting.Port[]>;
  /**
   * The same list as it arrives, port by port into a sink from `open` (a fresh one for each
   * reading): never held whole (see porting.streamPorts).
   */
  stream<S extends porting.PortSink>(state: porting.PortStateFilter, open: () => S): Promise<S>;
  /** `GET /port/{id}`. */
  get(id: string): Promise<porting.Port>;
}

/** The reseller's SIM stock. */
export interface OnsimSims {
  /** `GET /sims/{state}/{type}` (default `ACTIVE`, `ALL`). */
  list(state?: sims.SimState, type?: sims.SimType): Promise<sims.Sim[]>;
}

/** The reseller's number stock. */
export interface OnsimNumbers {
  /** `GET /numbers/{state}` (default `ACTIVE`). */
  list(state?: numbers.NumberState): Promise<numbers.NumberEntry[]>;
  /** `POST /numbers/{mpn}`: adds a number to the stock; ONSIM's confirmation text. */
  add(mpn: string): Promise<string>;
}

export function createOnsimClient(opts: OnsimHttpOptions): OnsimClient {
  const http: OnsimStreamingHttp = createOnsimHttp(opts);
  return {
    account: {
      get: (mpn) => account.getAccount(http, mpn),
      getEsim: (query) => account.getEsim(http, query),
      refreshEsimCode: (query) => account.getEsim(http, query, { refresh: true }),
      generateQr: (esimCode) => account.generateQr(http, esimCode),
      updateBundle: (mpn, bundle) => account.updateBundle(http, mpn, bundle),
      setRecording: (mpn, settings) => account.setRecording(http, mpn, settings),
      updateMobileSettings: (mpn, settings) => account.updateMobileSettings(http, mpn, settings),
      cease: (iccid) => account.ceaseAccount(http, iccid),
    },
    reseller: {
      provisionOwnPbx: (input) => reseller.provisionOwnPbx(http, input),
      provisionOnsim: (input) => reseller.provisionOnsim(http, input),
      getCatalogue: () => reseller.getCatalogue(http),
      listSubscribers: (filter) => reseller.listSubscribers(http, filter),
      listGroups: () => reseller.listGroups(http),
      addGroup: (group) => reseller.addGroup(http, group),
    },
    porting: {
      list: (state) => porting.listPorts(http, state),
      stream: (state, open) => porting.streamPorts(http, state, open),
      get: (id) => porting.getPort(http, id),
    },
    sims: {
      list: (state, type) => sims.listSims(http, state, type),
    },
    numbers: {
      list: (state) => numbers.listNumbers(http, state),
      add: (mpn) => numbers.addNumber(http, mpn),
    },
  };
}

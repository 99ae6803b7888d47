import * as account from './account.js';
import { createOnsimHttp, type OnsimHttpOptions } from './http.js';
import * as numbers from './numbers.js';
import * as porting from './porting.js';
import * as reseller from './reseller.js';
import * as sims from './sims.js';

/** The 18 ONSIM operations, each validated before sending and parsed on return. */
export function createOnsimClient(opts: OnsimHttpOptions) {
  const http = createOnsimHttp(opts);
  return {
    // Account
    getAccount: (mpn: string) => account.getAccount(http, mpn),
    getEsim: (query: account.EsimQuery) => account.getEsim(http, query),
    refreshEsimCode: (query: account.EsimQuery) => account.getEsim(http, query, { refresh: true }),
    generateQr: (esimCode: string) => account.generateQr(http, esimCode),
    updateBundle: (mpn: string, bundle: string) => account.updateBundle(http, mpn, bundle),
    setRecording: (mpn: string, settings: account.RecordingSettings) =>
      account.setRecording(http, mpn, settings),
    updateMobileSettings: (mpn: string, settings: account.MobileSettings) =>
      account.updateMobileSettings(http, mpn, settings),
    ceaseAccount: (iccid: string) => account.ceaseAccount(http, iccid),
    // Reseller
    provisionOwnPbx: (input: reseller.ProvisionOwnPbx) => reseller.provisionOwnPbx(http, input),
    provisionOnsim: (input: reseller.ProvisionOnsim) => reseller.provisionOnsim(http, input),
    getCatalogue: () => reseller.getCatalogue(http),
    listSubscribers: (filter?: reseller.SubscriberFilter) => reseller.listSubscribers(http, filter),
    listGroups: () => reseller.listGroups(http),
    addGroup: (group: reseller.NewGroup) => reseller.addGroup(http, group),
    // Porting
    listPorts: (state?: porting.PortStateFilter) => porting.listPorts(http, state),
    getPort: (id: string) => porting.getPort(http, id),
    // SIMs and numbers
    listSims: (state?: sims.SimState, type?: sims.SimType) => sims.listSims(http, state, type),
    listNumbers: (state?: numbers.NumberState) => numbers.listNumbers(http, state),
    addNumber: (mpn: string) => numbers.addNumber(http, mpn),
  };
}

export type OnsimClient = ReturnType<typeof createOnsimClient>;

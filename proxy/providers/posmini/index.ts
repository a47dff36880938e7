/** posmini (seeds/003): the POS mini-program backend's client adapter and its sandbox simulator. */
export {
  createPosMiniProvider,
  POSMINI_WECHAT,
  type PosMiniBillState,
  type PosMiniError,
  type PosMiniOptions,
  type PosMiniProvider,
  type PosMiniResult,
} from './client.ts';
export { DEFAULT_DES, type DesKeyForm, type DesOptions, type DesOutput, type PasswordEncoding } from './crypto.ts';
export { BILL_PATH, PAY_PATH, QUERY_PATH, type Format } from './codec.ts';
export {
  createPosMiniSimulator,
  POSMINI_SANDBOX_CODES,
  SANDBOX_BILLS,
  SANDBOX_SESSION,
  type FaultKind,
  type FaultOp,
  type PosMiniSimulator,
  type PosMiniSimulatorOptions,
} from './simulator.ts';

/** kioskv5 (seeds/000): the all-in-one kiosk backend's client adapter and its sandbox simulator. */
export {
  createKioskV5Provider,
  DEFAULT_METHODS,
  DEFAULT_PATHS,
  type KioskV5MethodSpec,
  type KioskV5Options,
  type KioskV5Paths,
  type KioskV5Provider,
  type KioskV5Result,
} from './client.ts';
export { PASS_CARD_STATUS, PASS_CARD_STATUS_NAME, PAY_STATUS, PTYPE, type PassCard, type PayRecord } from './codec.ts';
export type { KioskV5Error } from './errors.ts';
export {
  createKioskV5Simulator,
  KIOSKV5_SANDBOX_CODES,
  SANDBOX_SHOP,
  type FaultKind,
  type FaultOp,
  type KioskV5ShopInput,
  type KioskV5Simulator,
  type KioskV5SimulatorOptions,
} from './simulator.ts';

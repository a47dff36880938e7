/** mct1 (seeds/004): the aggregated payment client adapter and its sandbox simulator. */
export {
  createMct1Provider,
  DEFAULT_CODE_PATTERNS,
  TIMESTAMP_WINDOW_MS,
  type JsapiOrderInput,
  type Mct1Options,
  type Mct1Provider,
  type Mct1Result,
} from './client.ts';
export type { JsapiAnswer, JsapiSpec, Mct1Order, Mct1OrdType, Mct1Status, OrderFilter, OrderPage, PaylistEntry, WechatPayParams } from './codec.ts';
export { MCT1_ERRCODES, type Mct1Error, type Mct1ErrcodeInfo } from './errors.ts';
export {
  createMct1Simulator,
  MCT1_SANDBOX_CODES,
  SANDBOX_STORE,
  type FaultKind,
  type FaultOp,
  type Mct1Simulator,
  type Mct1SimulatorOptions,
} from './simulator.ts';

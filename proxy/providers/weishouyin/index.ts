/** 微收银 (seeds/001): the client adapter and its sandbox simulator. */
export { createWeishouyinProvider, type WeishouyinOptions, type WeishouyinProvider } from './client.ts';
export {
  createWeishouyinSimulator,
  SANDBOX_ACTIVATION_CODE,
  WEISHOUYIN_SANDBOX_CODES,
  type WeishouyinSimulator,
  type WeishouyinSimulatorOptions,
  type FaultKind,
  type FaultOp,
} from './simulator.ts';

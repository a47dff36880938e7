/**
 * The providers a store's configuration names, and the sandbox simulators that stand in for them:
 * live credentials from the config where given, else the sandbox's own (sandbox mode only).
 */
import { Hono } from 'hono';
import { join } from 'node:path';
import type { Config, ProviderName } from '../config.ts';
import type { Ledger } from '../ledger/payments.ts';
import { createKioskV5Provider, createKioskV5Simulator, SANDBOX_SHOP } from './kioskv5/index.ts';
import { createMct1Provider, createMct1Simulator, SANDBOX_STORE } from './mct1/index.ts';
import { createPosMiniProvider, createPosMiniSimulator, SANDBOX_SESSION } from './posmini/index.ts';
import { sleep } from './sandbox-kit/connection-faults.ts';
import type { CallSink, Provider } from './types.ts';
import { createWeishouyinProvider, createWeishouyinSimulator } from './weishouyin/index.ts';

/** The seed's own test activation code; the sandbox issues it at start. */
const SANDBOX_ACTIVATION_CODE = '24901320180424';

export interface ProviderDeps {
  config: Config;
  ledger: Ledger;
  onCall: CallSink;
  /** This proxy's own base URL: the sandboxes are served by it. */
  local: string;
  sandbox?: Sandbox;
  /** A chain's store other than the default: its providers keep their state (device registration) apart. */
  stateScope?: string;
}

export function createProvider(name: ProviderName, d: ProviderDeps): Provider {
  switch (name) {
    case 'weishouyin':
      return weishouyinProvider(d.config, d.ledger, d.onCall, d.local, d.sandbox, scoped('weishouyin', d.stateScope));
    case 'mct1':
      return mct1Provider(d.config, d.onCall, d.local);
    case 'kioskv5':
      return kioskV5Provider(d.config, d.ledger, d.onCall, d.local, scoped('kioskv5', d.stateScope));
    case 'posmini':
      return posMiniProvider(d.config, d.onCall, d.local);
  }
}

const scoped = (provider: string, scope: string | undefined) => (scope ? `${scope}/${provider}` : provider);

/** The sandbox providers, mounted at /sandbox/<provider>/ with their books in the data directory. */
export function createSandbox(config: Config) {
  const stateFile = (name: string) => (config.dataDir === ':memory:' ? undefined : join(config.dataDir, `sandbox-${name}.json`));
  const weishouyin = createWeishouyinSimulator({ basePath: '/sandbox/weishouyin', stateFile: stateFile('weishouyin'), ...config.sandbox });
  const mct1 = createMct1Simulator({ stateFile: stateFile('mct1'), ...config.sandbox });
  const kioskv5 = createKioskV5Simulator({ stateFile: stateFile('kioskv5'), ...config.sandbox });
  const posmini = createPosMiniSimulator({ stateFile: stateFile('posmini'), passwordPolls: config.sandbox.passwordPolls, hangMs: config.sandbox.hangMs });
  const app = new Hono();
  const latencyMs = config.sandbox.latencyMs ?? 0;
  if (latencyMs > 0) {
    // A provider across the internet: its API answers later; its back office (/_admin) does not.
    app.use('*', async (c, next) => {
      if (!c.req.path.includes('/_admin/')) await sleep(latencyMs);
      await next();
    });
  }
  app.route('/weishouyin', weishouyin.app);
  app.route('/mct1', mct1.app);
  app.route('/kioskv5', kioskv5.app);
  app.route('/posmini', posmini.app);
  const stop = () => {
    mct1.stop();
    kioskv5.stop();
    posmini.stop();
  };
  return { app, weishouyin, mct1, stop };
}
export type Sandbox = ReturnType<typeof createSandbox>;

function weishouyinProvider(config: Config, ledger: Ledger, onCall: CallSink, local: string, sandbox: Sandbox | undefined, stateKey: string): Provider {
  const w = config.weishouyin;
  return createWeishouyinProvider({
    baseUrl: w.baseUrl ?? `${local}/sandbox/weishouyin`,
    activationCode: w.activationCode ?? (sandbox ? SANDBOX_ACTIVATION_CODE : undefined),
    deviceId: w.deviceId,
    key: w.key,
    ver: w.ver,
    noremind: w.noremind,
    timeoutMs: config.timing.requestTimeoutMs,
    store: ledger.stateStore(stateKey),
    onCall,
    // The sandbox's back office issues a fresh code when the seed's one was used by an earlier run.
    onActivationFailed: sandbox
      ? async () => {
          const res = await sandbox.weishouyin.app.request('/_admin/activation-codes', { method: 'POST' });
          return ((await res.json()) as { code: string }).code;
        }
      : undefined,
  });
}

function mct1Provider(config: Config, onCall: CallSink, local: string): Provider {
  const m = config.mct1;
  const sandboxStore = config.mode === 'sandbox' ? SANDBOX_STORE : undefined;
  return createMct1Provider({
    baseUrl: m.baseUrl ?? `${local}/sandbox/mct1`,
    openId: m.openId ?? sandboxStore?.openId ?? '',
    openKey: m.openKey ?? sandboxStore?.openKey ?? '',
    shopPass: m.shopPass ?? sandboxStore?.shopPass,
    diyMethods: m.diyMethods,
    timeoutMs: config.timing.requestTimeoutMs,
    onCall,
  });
}

function kioskV5Provider(config: Config, ledger: Ledger, onCall: CallSink, local: string, stateKey: string): Provider {
  const k = config.kioskv5;
  const sandbox = config.mode === 'sandbox';
  return createKioskV5Provider({
    baseUrl: k.baseUrl ?? `${local}/sandbox/kioskv5`,
    shopId: k.shopId ?? SANDBOX_SHOP.shopId,
    auth: k.auth ?? (sandbox ? SANDBOX_SHOP.auth : undefined),
    store: ledger.stateStore(stateKey),
    timeoutMs: config.timing.requestTimeoutMs,
    onCall,
  });
}

function posMiniProvider(config: Config, onCall: CallSink, local: string): Provider {
  const m = config.posmini;
  const sandbox = config.mode === 'sandbox';
  return createPosMiniProvider({
    baseUrl: m.baseUrl ?? `${local}/sandbox/posmini`,
    loginPassword: m.loginPassword ?? (sandbox ? SANDBOX_SESSION.loginPassword : ''),
    auth: m.auth ?? (sandbox ? SANDBOX_SESSION.auth : undefined),
    des: m.des,
    format: m.format,
    timeoutMs: config.timing.requestTimeoutMs,
    onCall,
  });
}


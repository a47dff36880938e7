/**
 * Start-up: ledger, sandbox simulators, providers, resolver, HTTP server. Used by `npm start`
 * (proxy/main.ts) and by the tests, which start whole stores on loopback.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './app.ts';
import { Terminals } from './auth/terminals.ts';
import type { Config } from './config.ts';
import { EventBus } from './events/bus.ts';
import { openDb } from './ledger/db.ts';
import { Ledger } from './ledger/payments.ts';
import { Resolver } from './payments/resolver.ts';
import { PaymentService } from './payments/service.ts';
import { ProviderRegistry } from './providers/index.ts';
import type { CallSink, Provider } from './providers/types.ts';
import { createMct1Provider, createMct1Simulator, SANDBOX_STORE } from './providers/mct1/index.ts';
import { createWeishouyinProvider, createWeishouyinSimulator } from './providers/weishouyin/index.ts';
import { createKioskV5Provider, createKioskV5Simulator, SANDBOX_SHOP } from './providers/kioskv5/index.ts';
import { createPosMiniProvider, createPosMiniSimulator, SANDBOX_SESSION } from './providers/posmini/index.ts';

/** The seed's own test activation code; the sandbox issues it at start. */
const SANDBOX_ACTIVATION_CODE = '24901320180424';

export interface RunningStore {
  url: string;
  port: number;
  config: Config;
  ledger: Ledger;
  terminals: Terminals;
  service: PaymentService;
  providers: ProviderRegistry;
  resolver: Resolver;
  pairingCode: string;
  managerPairingCode: string;
  /** The sandbox simulators, mounted under /sandbox (for tests that drive their back office). */
  sandbox?: Hono;
  close(): Promise<void>;
}

export async function startStore(config: Config): Promise<RunningStore> {
  const db = openDb(config.dataDir);
  const ledger = new Ledger(db);
  const terminals = new Terminals(db);
  const bus = new EventBus();
  const providers = new ProviderRegistry([]);
  const service = new PaymentService({ ledger, providers, bus, config });

  const sandbox = config.mode === 'sandbox' ? createSandbox(config) : undefined;

  const app = createApp({ config, ledger, terminals, service, providers, bus, sandbox: sandbox?.app });
  const server = await listen(app, config);
  const port = (server.address() as AddressInfo).port;
  const local = `http://127.0.0.1:${port}`;
  // Where providers send callbacks; in sandbox mode, this very process.
  config.publicUrl ??= local;

  const onCall: CallSink = (call) => ledger.recordCall(call);
  for (const name of config.providers) {
    const make = {
      weishouyin: () => weishouyinProvider(config, ledger, onCall, local, sandbox),
      mct1: () => mct1Provider(config, onCall, local),
      kioskv5: () => kioskV5Provider(config, ledger, onCall, local),
      posmini: () => posMiniProvider(config, onCall, local),
    }[name];
    providers.register(make());
  }
  await initProviders(providers.all());
  const wsy = providers.get('weishouyin') as ReturnType<typeof createWeishouyinProvider> | undefined;
  if (wsy) void warnOnClockSkew(wsy);
  const retry = setInterval(() => void initProviders(providers.all().filter((p) => !p.info().ready)), 30_000);
  retry.unref();

  const resolver = new Resolver(ledger, service, config.timing.tickMs);
  resolver.start();

  const pairingCode = terminals.createPairingCode('cashier', config.pairingCodeTtlMs).code;
  const managerPairingCode = terminals.createPairingCode('manager', config.pairingCodeTtlMs).code;

  return {
    url: local,
    port,
    config,
    ledger,
    terminals,
    service,
    providers,
    resolver,
    pairingCode,
    managerPairingCode,
    sandbox: sandbox?.app,
    async close() {
      clearInterval(retry);
      resolver.stop();
      sandbox?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      db.close();
    },
  };
}

/** The sandbox providers, mounted at /sandbox/<provider>/ with their books in the data directory. */
function createSandbox(config: Config) {
  const stateFile = (name: string) => (config.dataDir === ':memory:' ? undefined : join(config.dataDir, `sandbox-${name}.json`));
  const weishouyin = createWeishouyinSimulator({ basePath: '/sandbox/weishouyin', stateFile: stateFile('weishouyin'), ...config.sandbox });
  const mct1 = createMct1Simulator({ stateFile: stateFile('mct1'), ...config.sandbox });
  const kioskv5 = createKioskV5Simulator({ stateFile: stateFile('kioskv5'), ...config.sandbox });
  const posmini = createPosMiniSimulator({ stateFile: stateFile('posmini'), passwordPolls: config.sandbox.passwordPolls, hangMs: config.sandbox.hangMs });
  const app = new Hono();
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
type Sandbox = ReturnType<typeof createSandbox>;

function weishouyinProvider(config: Config, ledger: Ledger, onCall: CallSink, local: string, sandbox?: Sandbox): Provider {
  const w = config.weishouyin;
  return createWeishouyinProvider({
    baseUrl: w.baseUrl ?? `${local}/sandbox/weishouyin`,
    activationCode: w.activationCode ?? (sandbox ? SANDBOX_ACTIVATION_CODE : undefined),
    deviceId: w.deviceId,
    key: w.key,
    ver: w.ver,
    timeoutMs: config.timing.requestTimeoutMs,
    store: ledger.stateStore('weishouyin'),
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

function kioskV5Provider(config: Config, ledger: Ledger, onCall: CallSink, local: string): Provider {
  const k = config.kioskv5;
  const sandbox = config.mode === 'sandbox';
  return createKioskV5Provider({
    baseUrl: k.baseUrl ?? `${local}/sandbox/kioskv5`,
    shopId: k.shopId ?? SANDBOX_SHOP.shopId,
    auth: k.auth ?? (sandbox ? SANDBOX_SHOP.auth : undefined),
    store: ledger.stateStore('kioskv5'),
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

async function initProviders(list: Provider[]): Promise<void> {
  await Promise.all(
    list.map(async (p) => {
      const r = await p.init();
      if (!r.ok) console.error(`[proxy] provider ${p.id} is not ready: ${r.error.message}`);
    }),
  );
}

/** The seed's time call: a kiosk whose clock is off prints wrong receipts and confuses the day's books. */
async function warnOnClockSkew(p: { time(): Promise<{ ok: true; time: string } | { ok: false }> }): Promise<void> {
  const t = await p.time();
  if (!t.ok) return;
  const skewMs = Date.parse(t.time) - Date.now();
  if (Math.abs(skewMs) > 2 * 60_000) {
    console.warn(`[proxy] this machine's clock is ${Math.round(skewMs / 1000)} s off the provider's: set the clock (NTP).`);
  }
}

function listen(app: Hono, config: Config): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once('error', reject);
  });
}

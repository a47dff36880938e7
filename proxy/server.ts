/**
 * Start-up: ledger, sandbox simulators, providers, resolver, HTTP server. Used by `npm start`
 * (proxy/main.ts) and by the tests, which start whole stores on loopback.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { AuditLog } from './audit/log.ts';
import { DailyReconciliation } from './reconciliation/daily-job.ts';
import { Reconciler } from './reconciliation/run.ts';
import { Settlements } from './reconciliation/settlement.ts';
import { ReconStore } from './reconciliation/store.ts';
import { createApp } from './app.ts';
import { Terminals } from './auth/terminals.ts';
import { configForStore, configuredSecrets, storesOf, type Config } from './config.ts';
import { Stores } from './stores/registry.ts';
import { EventBus } from './events/bus.ts';
import { ChainFeed } from './events/chain-feed.ts';
import { flushDeferred, openDb } from './ledger/db.ts';
import { Ledger } from './ledger/payments.ts';
import { Resolver } from './payments/resolver.ts';
import { PaymentService } from './payments/service.ts';
import type { ProviderRegistry } from './providers/index.ts';
import type { CallSink, Provider } from './providers/types.ts';
import { createProvider, createSandbox } from './providers/from-config.ts';
import type { createWeishouyinProvider } from './providers/weishouyin/index.ts';

export interface RunningStore {
  url: string;
  port: number;
  config: Config;
  ledger: Ledger;
  terminals: Terminals;
  service: PaymentService;
  stores: Stores;
  /** The default store's providers. */
  providers: ProviderRegistry;
  resolver: Resolver;
  reconciler: Reconciler;
  recon: ReconStore;
  settlements: Settlements;
  dailyReconciliation?: DailyReconciliation;
  pairingCode: string;
  managerPairingCode: string;
  /** The sandbox simulators, mounted under /sandbox (for tests that drive their back office). */
  sandbox?: Hono;
  close(): Promise<void>;
}

export async function startStore(config: Config): Promise<RunningStore> {
  const db = openDb(config.dataDir, config.databaseUrl);
  const ledger = new Ledger(db);
  const terminals = new Terminals(db);
  const bus = new EventBus();
  const storeConfigs = storesOf(config);
  const stores = new Stores(storeConfigs);
  // The default store's providers (a single store's, as before stores existed).
  const providers = stores.default.providers;
  const service = new PaymentService({ ledger, stores, bus, config });
  const recon = new ReconStore(db);
  const reconciler = new Reconciler({ store: recon, stores, carryWindowMs: config.reconciliation.carryWindowMs });
  const settlements = new Settlements(db, stores);

  const sandbox = config.mode === 'sandbox' ? createSandbox(config) : undefined;

  const app = createApp({ config, ledger, terminals, service, stores, bus, reconciler, recon, settlements, sandbox: sandbox?.app });
  const server = await listen(app, config);
  const port = (server.address() as AddressInfo).port;
  const local = `http://127.0.0.1:${port}`;
  // Where providers send callbacks; in sandbox mode, this very process.
  config.publicUrl ??= local;
  // This proxy's id on what it writes, the same across its restarts (a chain's proxies tell theirs
  // apart by it): POS_PROXY_ID, else host:port.
  const origin = config.proxyId ?? `${hostname()}:${port}`;
  ledger.origin = origin;
  // Several proxies on one PostgreSQL ledger: the others' payment changes reach this one's terminals.
  const chainFeed = db.dialect === 'postgres' ? new ChainFeed({ ledger, bus, origin, intervalMs: 500 }) : undefined;
  chainFeed?.start();

  const onCall: CallSink = (call) => ledger.recordCall(call);
  for (const storeConfig of storeConfigs) {
    const store = stores.get(storeConfig.id)!;
    const own = configForStore(config, storeConfig);
    // The default store keeps the provider state (微收银 device registration) it had before stores existed.
    const stateScope = store === stores.default ? undefined : store.id;
    for (const name of own.providers) store.providers.register(createProvider(name, { config: own, ledger, onCall, local, sandbox, stateScope }));
  }
  const allProviders = () => stores.providers().map((x) => x.provider);
  await initProviders(allProviders());
  const wsy = providers.get('weishouyin') as ReturnType<typeof createWeishouyinProvider> | undefined;
  // Awaited on close: the time call must not outlive the ledger it writes its call record to.
  const clockCheck = wsy ? warnOnClockSkew(wsy).catch(() => undefined) : undefined;
  const retry = setInterval(() => void initProviders(allProviders().filter((p) => !p.info().ready)), 30_000);
  retry.unref();

  // A claimed check outlives the longest check (a provider call, twice over) before another proxy may take it.
  const resolver = new Resolver(ledger, service, config.timing.tickMs, 2 * config.timing.requestTimeoutMs + config.timing.tickMs);
  resolver.start();

  settlements.ensureDefaultAccounts();
  const dailyReconciliation = config.reconciliation.dailyAt
    ? new DailyReconciliation({
        reconciler,
        recon,
        settlements,
        dailyAt: config.reconciliation.dailyAt,
        log: (line) => console.log(line),
        audit: new AuditLog(db, { secrets: configuredSecrets(config) }),
      })
    : undefined;
  dailyReconciliation?.start();

  // The start-up codes: a till of the default store, and a manager of the whole chain.
  const pairingCode = terminals.createPairingCode('cashier', config.pairingCodeTtlMs, stores.default.id).code;
  const managerPairingCode = terminals.createPairingCode('manager', config.pairingCodeTtlMs).code;

  return {
    url: local,
    port,
    config,
    ledger,
    terminals,
    service,
    stores,
    providers,
    resolver,
    reconciler,
    recon,
    settlements,
    dailyReconciliation,
    pairingCode,
    managerPairingCode,
    sandbox: sandbox?.app,
    async close() {
      clearInterval(retry);
      await clockCheck;
      resolver.stop();
      chainFeed?.stop();
      dailyReconciliation?.stop();
      sandbox?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      flushDeferred(db);
      db.close();
    },
  };
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

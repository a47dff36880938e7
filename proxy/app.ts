/** The proxy's HTTP surface: API, provider callbacks, sandbox simulators and the built PWA, on one port. */
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthResponse, StoreView } from '../contract/api.ts';
import { AuditLog } from './audit/log.ts';
import { auditRoutes } from './audit/routes.ts';
import { closeOnRevoke } from './auth/close-on-revoke.ts';
import { SupervisorGate } from './auth/supervisor.ts';
import { requireRole, requireTerminal, type AuthEnv, type Terminals } from './auth/terminals.ts';
import { configuredSecrets, type Config } from './config.ts';
import type { EventBus } from './events/bus.ts';
import { ApiError, onError } from './http/errors.ts';
import { originGuard } from './http/origin.ts';
import { DbLimitStore } from './http/db-limit-store.ts';
import { RateLimit, type LimitStore } from './http/rate-limit.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Ledger } from './ledger/payments.ts';
import type { PaymentService } from './payments/service.ts';
import type { Stores } from './stores/registry.ts';
import { storeFilter } from './stores/scope.ts';
import { eventRoutes } from './routes/events.ts';
import { notifyRoutes } from './routes/notify.ts';
import { passCardRoutes } from './routes/passcards.ts';
import { billRoutes } from './routes/bills.ts';
import { payRoutes } from './routes/pay.ts';
import { paymentRoutes } from './routes/payments.ts';
import { reportRoutes } from './routes/reports.ts';
import type { Reconciler } from './reconciliation/run.ts';
import type { Settlements } from './reconciliation/settlement.ts';
import type { ReconStore } from './reconciliation/store.ts';
import { pairingRoute, terminalRoutes } from './routes/terminals.ts';

export interface AppDeps {
  config: Config;
  ledger: Ledger;
  terminals: Terminals;
  service: PaymentService;
  stores: Stores;
  bus: EventBus;
  reconciler: Reconciler;
  recon: ReconStore;
  settlements: Settlements;
  /** Simulators served under /sandbox/<provider>/ (sandbox mode). */
  sandbox?: Hono;
  /** Where rate limits and lock-outs are counted; default the ledger's database (shared by a chain's proxies). */
  limits?: LimitStore;
}

export function createApp(deps: AppDeps): Hono {
  const { config, ledger, terminals, service, stores, bus } = deps;
  const everyProvider = () => stores.providers().map((x) => x.provider);
  const app = new Hono();
  app.onError(onError);
  const { security } = config;
  const limits = deps.limits ?? new DbLimitStore(ledger.db);
  const audit = new AuditLog(ledger.db, { secrets: configuredSecrets(config) });
  const supervisor = new SupervisorGate(config.supervisorPassword, limits, security.supervisor);

  app.use('*', securityHeaders());
  // Before any route, so a preflight (no token) is answered and a foreign page is refused first.
  const guard = originGuard(security);
  app.use('/api/*', guard);
  app.use('/pay/*', guard);

  const api = new Hono<AuthEnv>();
  api.get('/health', (c) =>
    c.json({
      ok: everyProvider().some((p) => p.info().ready),
      mode: config.mode,
      // A chain's stores each list their providers; the default store's come without a store id, as before stores.
      providers: stores.providers().map(({ store, provider: p }) => {
        const { ready, message, clockSkewMs } = p.info();
        return { id: p.id, ready, message, clockSkewMs, ...(store === stores.default ? {} : { storeId: store.id }) };
      }),
    } satisfies HealthResponse),
  );
  api.route('/', pairingRoute({ terminals, audit, limit: new RateLimit('pairing', limits, security.pairing), trustProxy: security.trustProxy }));
  api.use('*', requireTerminal(terminals));
  api.route('/', terminalRoutes(terminals, config.pairingCodeTtlMs, audit, stores, supervisor));
  // The stores a terminal may see: a store-bound one, its own; a chain manager, every one.
  api.get('/stores', (c) => {
    const only = storeFilter(c.get('terminal'), undefined, stores);
    return c.json({
      stores: stores
        .all()
        .filter((s) => only === undefined || s.id === only)
        .map((s) => ({ id: s.id, name: s.name, providers: s.providers.all().map((p) => p.id) }) satisfies StoreView),
    });
  });
  api.route(
    '/',
    paymentRoutes({
      service,
      ledger,
      stores,
      terminalName: (id) => terminals.name(id),
      audit,
      refundLimit: new RateLimit('refunds', limits, security.refunds),
      supervisor,
    }),
  );
  api.route('/', billRoutes({ stores, maxAmountFen: config.maxAmountFen }));
  api.route('/', passCardRoutes({ ledger, stores }));
  api.route('/', reportRoutes({ ledger, stores }));
  api.route('/', auditRoutes(audit));
  api.use('/events', closeOnRevoke(terminals));
  api.route('/', eventRoutes(bus, stores));
  api.all('*', () => {
    throw new ApiError(404, 'not_found', '没有这个接口 / No such endpoint');
  });
  app.route('/api', api);

  // seed 002's back office: managers only.
  const pay = new Hono<AuthEnv>();
  pay.use('*', requireTerminal(terminals), requireRole('manager'));
  pay.route('/', payRoutes({ db: ledger.db, stores, reconciler: deps.reconciler, recon: deps.recon, settlements: deps.settlements, audit }));
  pay.all('*', () => {
    throw new ApiError(404, 'not_found', '没有这个接口 / No such endpoint');
  });
  app.route('/pay', pay);
  app.route('/notify', notifyRoutes(service));

  if (deps.sandbox) app.route('/sandbox', deps.sandbox);

  app.use('/*', serveStatic({ root: config.staticDir }));
  const index = join(config.staticDir, 'index.html');
  app.get('*', (c) => {
    if (!existsSync(index)) return c.text('The PWA is not built yet: run `npm run build` (npm start does it for you).', 503);
    return c.html(readFileSync(index, 'utf8'));
  });
  return app;
}

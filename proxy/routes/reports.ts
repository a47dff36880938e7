/** `/api/reports/...` (manager): the day's takings from the ledger. See README "HTTP API". */
import { Hono } from 'hono';
import { requireRole, type AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import type { Ledger } from '../ledger/payments.ts';
import { chinaDay, dayReport, isDay } from '../ledger/reports.ts';
import type { Stores } from '../stores/registry.ts';
import { storeFilter } from '../stores/scope.ts';

export interface ReportRoutesDeps {
  ledger: Ledger;
  stores: Stores;
  now?: () => number;
}

export function reportRoutes({ ledger, stores, now = Date.now }: ReportRoutesDeps) {
  const app = new Hono<AuthEnv>();

  app.use('/reports/*', requireRole('manager'));

  /** `?date=YYYY-MM-DD` (a China day; today's by default); `?store=` one store's (a store's manager: always its own). */
  app.get('/reports/day', (c) => {
    const date = c.req.query('date') ?? chinaDay(now());
    if (!isDay(date)) {
      throw new ApiError(400, 'query_invalid', `参数 date 必须是日期 YYYY-MM-DD（北京时间） / date must be a day, YYYY-MM-DD (China time)`);
    }
    const storeId = storeFilter(c.get('terminal'), c.req.query('store'), stores);
    const report = dayReport(ledger.db, date, storeId);
    const names = new Map(stores.all().flatMap((s) => s.providers.methods()).map((m) => [m.id, m.name]));
    return c.json({ ...report, storeId, methods: report.methods.map((m) => ({ ...m, name: names.get(m.method) ?? m.method })) });
  });

  return app;
}

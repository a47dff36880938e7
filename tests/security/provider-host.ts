/**
 * A stand-in for the providers' own servers: the four simulators behind one loopback port
 * (`/weishouyin`, `/mct1`, `/kioskv5`, `/posmini`), with a tamper hook in front. A store under test
 * is pointed at it with `<provider>.baseUrl`, exactly as it would be pointed at a live provider, so
 * the proxy's own client, transport and codec read whatever the host answers.
 *
 * `tamper()` replaces the answer of the next matching call(s) with a body of the test's choosing:
 * either instead of the simulator (`execute: false`: nothing happened at the provider) or after it
 * (`execute: true`: the provider did the work, e.g. charged the customer, and the answer we get is
 * hostile). The simulators' own fault injection cannot answer arbitrary bodies; this can.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createKioskV5Simulator, type KioskV5SimulatorOptions } from '../../proxy/providers/kioskv5/simulator.ts';
import { createMct1Simulator, type Mct1SimulatorOptions } from '../../proxy/providers/mct1/simulator.ts';
import { createPosMiniSimulator, type PosMiniSimulatorOptions } from '../../proxy/providers/posmini/simulator.ts';
import { createWeishouyinSimulator, type WeishouyinSimulatorOptions } from '../../proxy/providers/weishouyin/simulator.ts';

export type HostedProvider = 'weishouyin' | 'mct1' | 'kioskv5' | 'posmini';

/** What a call to the host was, as the tamper hook sees it. */
export interface HostCall {
  provider: HostedProvider;
  /** The path below the provider's mount, e.g. `/o2o-dm/op.php`. */
  path: string;
  /** Query and form parameters merged (form wins). */
  params: Record<string, string>;
  body: string;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
}

export interface TamperRule {
  match(call: HostCall): boolean;
  /** true: the simulator runs the call first (and e.g. charges), then its answer is replaced. */
  execute: boolean;
  /** The replacement answer; `original` is the simulator's own answer text when `execute`. */
  answer(original: string | undefined, call: HostCall): { body: string | Uint8Array; contentType?: string; status?: number };
  /** Calls this rule still applies to. Default 1. */
  count?: number;
}

export interface ProviderHost {
  url: string;
  baseUrl(provider: HostedProvider): string;
  weishouyin: ReturnType<typeof createWeishouyinSimulator>;
  mct1: ReturnType<typeof createMct1Simulator>;
  kioskv5: ReturnType<typeof createKioskV5Simulator>;
  posmini: ReturnType<typeof createPosMiniSimulator>;
  /** Every call the host received, in order. */
  calls: HostCall[];
  /** Calls whose answer was replaced, in order. */
  tampered: HostCall[];
  tamper(rule: TamperRule): void;
  /** Drops every rule not yet used up. */
  clearTampering(): void;
  admin(provider: HostedProvider, path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface ProviderHostOptions {
  weishouyin?: WeishouyinSimulatorOptions;
  mct1?: Mct1SimulatorOptions;
  kioskv5?: KioskV5SimulatorOptions;
  posmini?: PosMiniSimulatorOptions;
}

const PROVIDERS: HostedProvider[] = ['weishouyin', 'mct1', 'kioskv5', 'posmini'];

export async function startProviderHost(opts: ProviderHostOptions = {}): Promise<ProviderHost> {
  const quick = { passwordPolls: 2, hangMs: 3_000 };
  const weishouyin = createWeishouyinSimulator({ ...quick, ...opts.weishouyin, basePath: '/weishouyin' });
  const mct1 = createMct1Simulator({ ...quick, notifyBaseMs: 200, ...opts.mct1, basePath: '/mct1' });
  const kioskv5 = createKioskV5Simulator({ ...quick, ...opts.kioskv5 });
  const posmini = createPosMiniSimulator({ ...quick, ...opts.posmini });

  const rules: (TamperRule & { left: number })[] = [];
  const calls: HostCall[] = [];
  const tampered: HostCall[] = [];

  const app = new Hono();
  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const provider = PROVIDERS.find((p) => url.pathname.startsWith(`/${p}/`));
    if (!provider || url.pathname.includes('/_admin/')) return next();
    const body = c.req.method === 'POST' ? await c.req.raw.clone().text() : '';
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (/x-www-form-urlencoded/i.test(c.req.header('content-type') ?? '')) Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    const headers = Object.fromEntries([...c.req.raw.headers].map(([k, v]) => [k.toLowerCase(), v]));
    const call: HostCall = { provider, path: url.pathname.slice(provider.length + 1), params, body, headers };
    calls.push(call);
    const i = rules.findIndex((r) => r.match(call));
    if (i < 0) return next();
    const rule = rules[i];
    if (--rule.left <= 0) rules.splice(i, 1);
    let original: string | undefined;
    if (rule.execute) {
      await next();
      original = await c.res.text();
    }
    tampered.push(call);
    const a = rule.answer(original, call);
    const res = new Response(typeof a.body === 'string' ? a.body : new Uint8Array(a.body), { status: a.status ?? 200, headers: { 'content-type': a.contentType ?? 'text/xml; charset=utf-8' } });
    // After next(), the context's response is replaced; before it, returning one skips the simulator.
    if (rule.execute) {
      c.res = undefined as unknown as Response;
      c.res = res;
      return;
    }
    return res;
  });
  app.route('/weishouyin', weishouyin.app);
  app.route('/mct1', mct1.app);
  app.route('/kioskv5', kioskv5.app);
  app.route('/posmini', posmini.app);

  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: (p) => `${url}/${p}`,
    weishouyin,
    mct1,
    kioskv5,
    posmini,
    calls,
    tampered,
    tamper(rule) {
      rules.push({ ...rule, left: rule.count ?? 1 });
    },
    clearTampering() {
      rules.length = 0;
    },
    async admin(provider, path, init = {}) {
      const res = await fetch(`${url}/${provider}/_admin${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, body: type.includes('json') ? await res.json() : await res.text() };
    },
    async close() {
      mct1.stop();
      kioskv5.stop();
      posmini.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
    },
  };
}

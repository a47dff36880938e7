/**
 * The sandbox providers on a loopback port of their own, outside every proxy: a chain's proxies all
 * talk to the one provider, as real stores talk to one mct1 or 微收银, and a proxy can be killed
 * without taking the provider's books with it. Served in the test's process (a kill -9 of a proxy
 * never reaches it), at the same /sandbox/<provider>/ paths an embedded store uses, so the
 * back-office helpers of sandbox-books.ts work against it unchanged.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createSandbox, type Sandbox } from '../../proxy/providers/from-config.ts';
import { testConfig } from './store.ts';

export interface SandboxServer {
  /** The origin; the providers are below `${url}/sandbox/<provider>`. */
  url: string;
  sandbox: Sandbox;
  /**
   * Holds every provider call that arrives from now on this long before the provider sees it (its
   * back office is never held): calls in flight for as long as a test needs, e.g. across a kill.
   * A call already held keeps the delay it arrived with.
   */
  holdCalls(ms: number): void;
  /** Provider calls being held now. */
  heldCalls(): number;
  /** A fresh single-use 微收银 activation code from the back office. */
  activationCode(): Promise<string>;
  stop(): Promise<void>;
}

/** `sandbox`: the simulators' knobs (the tests' quick defaults otherwise); the books live in memory. */
export async function startSandboxServer(sandbox: Parameters<typeof testConfig>[0] = {}): Promise<SandboxServer> {
  const simulators = createSandbox(testConfig({ ...sandbox, dataDir: ':memory:' }));
  let holdMs = 0;
  let held = 0;
  const app = new Hono();
  app.use('/sandbox/*', async (c, next) => {
    const ms = holdMs;
    if (ms > 0 && !c.req.path.includes('/_admin/')) {
      held++;
      await new Promise((r) => setTimeout(r, ms)).finally(() => held--);
    }
    await next();
  });
  app.route('/sandbox', simulators.app);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sandbox: simulators,
    holdCalls(ms) {
      holdMs = ms;
    },
    heldCalls: () => held,
    async activationCode() {
      const res = await fetch(`${url}/sandbox/weishouyin/_admin/activation-codes`, { method: 'POST' });
      return ((await res.json()) as { code: string }).code;
    },
    async stop() {
      simulators.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

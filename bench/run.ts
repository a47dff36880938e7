/**
 * `npm run bench`: JSON lines, each figure with its comparison measured in the same run.
 * - micropay latency through the proxy vs a bare loopback round trip to the simulator (same request shape);
 * - the PWA's initial JavaScript, gzipped, against its budget.
 */
import { readFileSync } from 'node:fs';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultConfig, mergeConfig } from '../proxy/config.ts';
import { startStore } from '../proxy/server.ts';
import { signParams } from '../proxy/providers/weishouyin/sign.ts';

const N = Number(process.env.BENCH_N ?? 200);
const WARMUP = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const round = (x: number) => Math.round(x * 1000) / 1000;
let seq = 0;
/** A fresh "pays at once" WeChat code for each request (a payment code is single-use). */
const code = () => `134${String(process.pid % 1000).padStart(3, '0')}${String(seq++).padStart(12, '0')}`;

async function timed(fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

async function latency() {
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-bench-'));
  const store = await startStore(mergeConfig(defaultConfig(), { port: 0, host: '127.0.0.1', dataDir: process.env.BENCH_MEMORY ? ':memory:' : dataDir }));
  try {
    const { code: pairing } = store.terminals.createPairingCode('cashier', 60_000);
    const paired = (await (await fetch(`${store.url}/api/terminals/pair`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: pairing }),
    })).json()) as { token: string };
    const state = store.ledger.stateStore('weishouyin');
    const deviceId = state.get('device_id')!;
    const key = state.get('key')!;
    const op = `${store.url}/sandbox/weishouyin/o2o-dm/op.php`;

    const direct = async () => {
      const params: Record<string, string> = { action: 'micropay', device_id: deviceId, authcode: code(), paytype: 'o2o_dm_code_wxpaysub', total: '0.01' };
      params.sign = signParams(params, key);
      const res = await fetch(op, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
      const text = await res.text();
      if (!text.includes('ok="1"')) throw new Error(`direct micropay failed: ${text.slice(0, 100)}`);
    };
    const viaProxy = async () => {
      const res = await fetch(`${store.url}/api/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${paired.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ outNo: `B${Date.now().toString(36)}${seq}`, amountFen: 1, authCode: code() }),
      });
      const body = (await res.json()) as { status: string };
      if (body.status !== 'paid') throw new Error(`proxy micropay not paid: ${JSON.stringify(body)}`);
    };

    // Interleave rounds so both see the same machine state.
    const base: number[] = [];
    const proxy: number[] = [];
    for (let round = 0; round < 4; round++) {
      base.push(...(await timed(direct)));
      proxy.push(...(await timed(viaProxy)));
    }
    base.sort((a, b) => a - b);
    proxy.sort((a, b) => a - b);
    const p = (xs: number[], q: number) => round(percentile(xs, q));
    console.log(JSON.stringify({
      name: 'micropay_latency_ms', unit: 'ms', n: proxy.length,
      proxy_p50: p(proxy, 50), proxy_p99: p(proxy, 99),
      baseline: 'bare loopback micropay to the simulator', baseline_p50: p(base, 50), baseline_p99: p(base, 99),
      ratio_p50: round(percentile(proxy, 50) / percentile(base, 50)), ratio_p99: round(percentile(proxy, 99) / percentile(base, 99)),
      target_ratio: 1.5,
    }));
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function initialJs() {
  const html = readFileSync('dist/index.html', 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) files.add(m[1]);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(join('dist', f.replace(/^\//, '')));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  console.log(JSON.stringify({
    name: 'pwa_initial_js_gzip_bytes', unit: 'bytes', value: gz, files: [...files],
    comparison: 'budget 60 KB gzipped; raw size alongside', budget: 60 * 1024, ratio_to_budget: round(gz / (60 * 1024)), raw_bytes: raw,
  }));
}

initialJs();
await latency();

/**
 * The load test: many tills paying at once through the proxy and the in-process sandboxes, on
 * loopback, bounded by time AND count (it stops by itself). Each till pays one payment at a time and
 * waits until it is final, as a cashier does; a manager terminal refunds now and then. Afterwards
 * every payment is checked: in the ledger exactly once with the status its sandbox code promises,
 * charged exactly once (or not at all) in the provider's own books, refunds agreeing on both sides.
 *
 * `runLoad()` is the driver (tests/load/load.test.ts runs it short, for CI); `loadBench()` is the
 * `npm run bench` part: LOAD_TERMINALS tills (16) for LOAD_SECONDS (20) or LOAD_MAX payments (5,000),
 * whichever ends first, compared with one till running the same mix in the same run, and the heap
 * sampled (after a full GC) in the first and the last quarter.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PaymentStatus, PaymentView, RefundView } from '../contract/api.ts';
import { defaultConfig, mergeConfig } from '../proxy/config.ts';
import { startStore, type RunningStore } from '../proxy/server.ts';
import { readBooks, type BookEntry } from '../tests/helpers/sandbox-books.ts';

type Kind = 'immediate' | 'password' | 'declined';
type ProviderId = 'weishouyin' | 'mct1';

export interface LoadOptions {
  terminals: number;
  /** No new payment starts after this long… */
  seconds: number;
  /** …nor after this many. */
  max: number;
  /** Ledger and sandbox books in memory instead of a temporary directory (WAL, synchronous=FULL, as a store runs). */
  memory?: boolean;
  /** The ledger on this PostgreSQL (a chain's) instead of SQLite; the sandbox books stay in the data directory. */
  databaseUrl?: string;
  /** The manager refunds one paid payment (in full or half) this often; 0: no refunds. Default 250 ms. */
  refundEveryMs?: number;
  /** The heap is sampled after a full GC this often; 0 (the default): not sampled. */
  heapSampleMs?: number;
  /** The store's `timing.pollIntervalMs` and the tills' own poll; a password payment takes two polls. Default 100 ms. */
  pollMs?: number;
  /** How long, after the last payment started, everything may take to become final. Default 30 s. */
  settleMs?: number;
}

export interface LoadReport {
  /** Nothing lost, nothing charged twice, everything final and as expected. */
  ok: boolean;
  /** What was wrong, one sentence each (at most 20, then a count). */
  problems: string[];
  terminals: number;
  /** From the first payment to the last one final (the tills' own waits included). */
  seconds: number;
  payments: number;
  perSecond: number;
  /** Payments finished per second in the first and the last quarter of the time payments were started (a slowdown shows here). */
  perSecondFirstQuarter: number;
  perSecondLastQuarter: number;
  kinds: Record<Kind, number>;
  providers: Record<ProviderId, number>;
  /** POST /api/payments of the payments that pay at once, ms. */
  immediate: { n: number; p50: number; p99: number; max: number };
  /** From the POST to the till seeing `paid`, for the password payments, ms. */
  password: { n: number; p50: number; p99: number };
  refunds: number;
  /** Answers that were not 200 (or no answer at all), and payments whose first answer was not the expected one. */
  errors: number;
  errorSamples: string[];
  /** Heap used (MiB, medians after a full GC) in the first and the last quarter; undefined when not sampled. */
  heap?: {
    firstQuarterMiB: number;
    lastQuarterMiB: number;
    growth: number;
    samples: number;
    gc: boolean;
    /** Growth per payment finished in between… */
    bytesPerPayment: number;
    /** …against what the sandboxes' books hold per payment (their state files; in memory, their back offices' lists): they keep every sale in memory. */
    booksBytesPerPayment: number;
  };
  /** How long the verification waited for the last payments and refunds to be final. */
  settleMs: number;
}

interface Sent {
  outNo: string;
  kind: Kind;
  provider: ProviderId;
  amountFen: number;
  /** What the till last saw. */
  status?: PaymentStatus;
  refundedFen: number;
}

const POLL_MS = 100;
const TILL_WAIT_MS = 30_000;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let codeSeq = 0;
/** A fresh "pays at once" WeChat code (a real-looking code is single-use at both sandboxes). */
const freshCode = () => `135${String(process.pid % 1000).padStart(3, '0')}${String(codeSeq++).padStart(12, '0')}`;

/**
 * The i-th payment of a run: 1 in 20 waits for the password, 1 in 20 is declined, the rest pay at
 * once; even ones go to 微收银 (routed by the code), odd ones name mct1. Every amount in a run is
 * different: 微收银's sandbox takes the same test code (…2, …3) with the same total within a minute
 * as a retry of the same payment, as a wallet would, and every till here uses the same test codes.
 */
function plan(i: number): { kind: Kind; provider: ProviderId; amountFen: number; body: Record<string, unknown> } {
  const kind: Kind = i % 20 === 7 ? 'password' : i % 20 === 13 ? 'declined' : 'immediate';
  const provider: ProviderId = i % 2 === 0 ? 'weishouyin' : 'mct1';
  const amountFen = 100 + i;
  const authCode = kind === 'password' ? '130000000000000002' : kind === 'declined' ? '130000000000000003' : freshCode();
  return { kind, provider, amountFen, body: { amountFen, authCode, ...(provider === 'mct1' ? { method: 'mct1:Weixin' } : {}) } };
}

const EXPECTED: Record<Kind, PaymentStatus> = { immediate: 'paid', password: 'paid', declined: 'failed' };

/** A paired terminal's JSON calls over HTTP (what the PWA sends). */
interface Api {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

async function pair(base: string, code: string, name: string): Promise<Api> {
  const res = await fetch(`${base}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, name }) });
  if (res.status !== 200) throw new Error(`pairing ${name}: HTTP ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return {
    async call(method, path, body) {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: await r.json() };
    },
  };
}

/** `global.gc`, or the same function got at run time (`npm run bench` runs without --expose-gc). */
function fullGc(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return () => globalThis.gc!();
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    return typeof gc === 'function' ? gc : undefined;
  } catch {
    return undefined;
  }
}

class Problems {
  readonly list: string[] = [];
  #count = 0;
  add(text: string): void {
    this.#count++;
    if (this.list.length < 20) this.list.push(text);
  }
  get count(): number {
    return this.#count;
  }
  all(): string[] {
    return this.#count > this.list.length ? [...this.list, `… and ${this.#count - this.list.length} more`] : this.list;
  }
}

/** Starts a store like `npm start` (sandbox providers 微收银 and mct1), drives it, checks it, closes it. */
export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const pollMs = opts.pollMs ?? POLL_MS;
  const dataDir = opts.memory ? ':memory:' : mkdtempSync(join(tmpdir(), 'pos-load-'));
  const store = await startStore(
    mergeConfig(defaultConfig(), {
      port: 0,
      host: '127.0.0.1',
      mode: 'sandbox',
      dataDir,
      databaseUrl: opts.databaseUrl,
      providers: ['weishouyin', 'mct1'],
      timing: { pollIntervalMs: pollMs, tickMs: pollMs },
      sandbox: { passwordPolls: 2 },
      // The manager's refunds are part of the load, not a flood to stop.
      security: { refunds: { max: 1_000_000, windowMs: 60_000 } },
      reconciliation: { dailyAt: '' },
    }),
  );
  try {
    return await drive(store, opts, pollMs, opts.memory ? undefined : dataDir);
  } finally {
    await store.close();
    if (!opts.memory) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function drive(store: RunningStore, opts: LoadOptions, pollMs: number, dataDir: string | undefined): Promise<LoadReport> {
  const base = store.url;
  const manager = await pair(base, store.managerPairingCode, 'load-manager');
  const tills: Api[] = [];
  for (let t = 0; t < opts.terminals; t++) {
    const code = await manager.call<{ code: string }>('POST', '/api/terminals/pairing-codes', { role: 'cashier' });
    if (code.status !== 200 && code.status !== 201) throw new Error(`pairing code: HTTP ${code.status} ${JSON.stringify(code.body)}`);
    tills.push(await pair(base, code.body.code, `till-${t + 1}`));
  }

  const problems = new Problems();
  const errorSamples: string[] = [];
  let errors = 0;
  const error = (text: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(text);
  };
  const run = `L${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const sent: Sent[] = [];
  const immediateMs: number[] = [];
  const passwordMs: number[] = [];
  const doneAt: number[] = [];
  /** Paid and not yet refunded: the manager's pick. */
  const refundable: Sent[] = [];
  let refunds = 0;

  const gc = opts.heapSampleMs ? fullGc() : undefined;
  const heap: { at: number; used: number; payments: number }[] = [];
  const sample = () => {
    gc?.();
    heap.push({ at: performance.now(), used: process.memoryUsage().heapUsed, payments: doneAt.length });
  };

  let next = 0;
  const started = performance.now();
  /** When the first till found the load over: the quarters are of [started, stopped]. */
  let stopped: number | undefined;
  const open = () => {
    if (stopped === undefined && (next >= opts.max || performance.now() - started >= opts.seconds * 1000)) stopped = performance.now();
    return stopped === undefined;
  };

  /** Sends the payment until an answer comes (same outNo: never a second charge), then waits until it is final. */
  async function pay(till: Api, p: Sent, body: Record<string, unknown>): Promise<void> {
    const t0 = performance.now();
    let view: PaymentView | undefined;
    while (!view && performance.now() - t0 < TILL_WAIT_MS) {
      try {
        const res = await till.call<PaymentView>('POST', '/api/payments', { outNo: p.outNo, ...body });
        if (res.status === 200) view = res.body;
        else error(`POST ${p.outNo}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        // Refused (4xx): sending it again changes nothing. The check below finds it missing.
        if (res.status >= 400 && res.status < 500) return problems.add(`${p.outNo} (${p.kind}, ${p.provider}): refused with HTTP ${res.status}`);
      } catch (err) {
        error(`POST ${p.outNo}: ${(err as Error).message}`);
      }
      if (!view) await sleep(pollMs);
    }
    if (!view) return problems.add(`${p.outNo} (${p.kind}, ${p.provider}): no answer to POST in ${TILL_WAIT_MS} ms`);
    const posted = performance.now() - t0;
    const first = p.kind === 'password' ? 'paying' : EXPECTED[p.kind];
    if (view.status !== first) error(`POST ${p.outNo} (${p.kind}, ${p.provider}): ${view.status}, expected ${first}: ${view.message ?? ''}`);
    else if (p.kind === 'immediate') immediateMs.push(posted);
    while (view.status === 'paying' || view.status === 'unknown') {
      if (performance.now() - t0 > TILL_WAIT_MS) break;
      await sleep(pollMs);
      try {
        const res = await till.call<PaymentView>('GET', `/api/payments/${p.outNo}`);
        if (res.status === 200) view = res.body;
        else error(`GET ${p.outNo}: HTTP ${res.status}`);
      } catch (err) {
        error(`GET ${p.outNo}: ${(err as Error).message}`);
      }
    }
    p.status = view.status;
    if (p.kind === 'password' && view.status === 'paid') passwordMs.push(performance.now() - t0);
    if (view.status === 'paid') refundable.push(p);
  }

  async function till(api: Api): Promise<void> {
    while (open()) {
      const i = next++;
      const { kind, provider, amountFen, body } = plan(i);
      const p: Sent = { outNo: `${run}${i.toString(36)}`, kind, provider, amountFen, refundedFen: 0 };
      sent.push(p);
      await pay(api, p, body);
      doneAt.push(performance.now());
    }
  }

  /** The manager: now and then one paid payment back, in full or half of it. */
  async function refunder(): Promise<void> {
    const every = opts.refundEveryMs ?? 250;
    if (!every) return;
    while (open()) {
      await sleep(every);
      const p = refundable.splice(Math.floor(Math.random() * refundable.length), 1)[0];
      if (!p) continue;
      const amountFen = refunds % 2 === 0 ? p.amountFen : Math.max(1, Math.floor(p.amountFen / 2));
      const refundNo = `${p.outNo}R`;
      // No answer: asked again under the same refund number (the proxy answers the refund it has, never a second one).
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const res = await manager.call<RefundView>('POST', `/api/payments/${p.outNo}/refunds`, { refundNo, amountFen, reason: '负载测试退款 / load test' });
          if (res.status !== 200) error(`refund ${refundNo}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          else if (res.body.status !== 'refunded') error(`refund ${refundNo}: ${res.body.status} ${res.body.message ?? ''}`);
          // Counted unless refused: an unconfirmed one must settle as refunded (the check waits for it).
          if (res.status === 200 && res.body.status !== 'failed') {
            p.refundedFen += amountFen;
            refunds++;
          }
          break;
        } catch (err) {
          error(`refund ${refundNo}: ${(err as Error).message}`);
        }
      }
    }
  }

  const sampler = opts.heapSampleMs ? setInterval(sample, opts.heapSampleMs) : undefined;
  if (sampler) sample();
  await Promise.all([...tills.map(till), refunder()]);
  const ended = performance.now();
  if (sampler) {
    clearInterval(sampler);
    sample();
  }

  const settleStarted = performance.now();
  const ledger = await settledLedger(manager, sent, opts.settleMs ?? 30_000, problems);
  const settleMs = performance.now() - settleStarted;
  await verify(base, sent, ledger, problems);
  const books = await booksBytes(base, dataDir);

  const seconds = (ended - started) / 1000;
  const window = (stopped ?? ended) - started;
  const quarter = window / 4;
  const rate = (from: number) => doneAt.filter((t) => t >= from && t < from + quarter).length / (quarter / 1000);
  const kinds = { immediate: 0, password: 0, declined: 0 };
  const providers = { weishouyin: 0, mct1: 0 };
  for (const p of sent) {
    kinds[p.kind]++;
    providers[p.provider]++;
  }
  immediateMs.sort((a, b) => a - b);
  passwordMs.sort((a, b) => a - b);
  return {
    ok: problems.count === 0,
    problems: problems.all(),
    terminals: opts.terminals,
    seconds: round(seconds, 2),
    payments: sent.length,
    perSecond: round(sent.length / seconds),
    perSecondFirstQuarter: round(rate(started)),
    perSecondLastQuarter: round(rate(started + 3 * quarter)),
    kinds,
    providers,
    immediate: { n: immediateMs.length, p50: round(percentile(immediateMs, 50), 2), p99: round(percentile(immediateMs, 99), 2), max: round(immediateMs.at(-1) ?? 0, 2) },
    password: { n: passwordMs.length, p50: round(percentile(passwordMs, 50)), p99: round(percentile(passwordMs, 99)) },
    refunds,
    errors,
    errorSamples,
    heap: heap.length ? heapFigures(heap, started, started + window) : undefined,
    settleMs: Math.round(settleMs),
  };

  function heapFigures(samples: typeof heap, from: number, to: number): LoadReport['heap'] {
    const q = (to - from) / 4;
    const median = (xs: typeof heap) => percentile(xs.map((s) => s.used).sort((a, b) => a - b), 50);
    const first = samples.filter((s) => s.at <= from + q);
    const last = samples.filter((s) => s.at >= to - q);
    const a = median(first);
    const b = median(last);
    const paymentsBetween = percentile(last.map((s) => s.payments).sort((x, y) => x - y), 50) - percentile(first.map((s) => s.payments).sort((x, y) => x - y), 50);
    const MiB = 1024 * 1024;
    return {
      firstQuarterMiB: round(a / MiB),
      lastQuarterMiB: round(b / MiB),
      growth: round(b / a, 3),
      samples: samples.length,
      gc: gc !== undefined,
      bytesPerPayment: paymentsBetween > 0 ? Math.round((b - a) / paymentsBetween) : 0,
      booksBytesPerPayment: Math.round(books / sent.length),
    };
  }
}

/** Every payment of the store as the manager's order list has it, once every one sent is final (or the time is up). */
async function settledLedger(manager: Api, sent: Sent[], settleMs: number, problems: Problems): Promise<PaymentView[]> {
  const end = performance.now() + settleMs;
  const wanted = new Map(sent.map((p) => [p.outNo, p]));
  for (;;) {
    const rows = await listAll(manager);
    const open = rows.filter((r) => wanted.has(r.outNo) && (r.status === 'paying' || r.status === 'unknown' || (r.refundedFen ?? 0) !== wanted.get(r.outNo)!.refundedFen));
    if (!open.length || performance.now() > end) {
      for (const r of open.slice(0, 5)) problems.add(`${r.outNo}: still ${r.status} (refunded ${r.refundedFen ?? 0} fen) ${Math.round(settleMs / 1000)} s after the load`);
      return rows;
    }
    await sleep(200);
  }
}

async function listAll(manager: Api): Promise<PaymentView[]> {
  const rows: PaymentView[] = [];
  for (let page = 1; ; page++) {
    const res = await manager.call<{ total: number; items: PaymentView[] }>('GET', `/api/payments?pageSize=200&page=${page}`);
    if (res.status !== 200) throw new Error(`GET /api/payments: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    rows.push(...res.body.items);
    if (!res.body.items.length || rows.length >= res.body.total) return rows;
  }
}

/** The ledger and each provider's books against what the tills sent and saw. */
async function verify(base: string, sent: Sent[], ledger: PaymentView[], problems: Problems): Promise<void> {
  const seen = new Map<string, PaymentView[]>();
  for (const r of ledger) seen.set(r.outNo, [...(seen.get(r.outNo) ?? []), r]);
  const wanted = new Set(sent.map((p) => p.outNo));
  for (const r of ledger) if (!wanted.has(r.outNo)) problems.add(`${r.outNo}: in the ledger, never sent`);

  const books: Record<ProviderId, BookEntry[]> = { weishouyin: await readBooks(base, 'weishouyin'), mct1: await readBooks(base, 'mct1') };
  // 微收银 keeps no outNo: its bills are found by the ledger's providerRef (dm_id). mct1's orders by out_no.
  const byRef = new Map(books.weishouyin.map((b) => [b.key, b]));
  const byOutNo = new Map<string, BookEntry[]>();
  for (const b of books.mct1) byOutNo.set(b.outNo ?? '', [...(byOutNo.get(b.outNo ?? '') ?? []), b]);
  const refsUsed = new Map<string, string>();
  const paid = { weishouyin: 0, mct1: 0 };

  for (const p of sent) {
    const rows = seen.get(p.outNo) ?? [];
    const what = `${p.outNo} (${p.kind}, ${p.provider}, ${p.amountFen} fen)`;
    if (rows.length !== 1) {
      problems.add(`${what}: ${rows.length} times in the ledger`);
      continue;
    }
    const r = rows[0];
    const refunded = p.refundedFen > 0 && p.refundedFen === p.amountFen;
    const status = refunded ? 'refunded' : EXPECTED[p.kind];
    if (r.status !== status) problems.add(`${what}: ${r.status} in the ledger (the till saw ${p.status ?? 'nothing'}), expected ${status}: ${r.message ?? ''}`);
    if (r.amountFen !== p.amountFen) problems.add(`${what}: ${r.amountFen} fen in the ledger`);
    if ((r.refundedFen ?? 0) !== p.refundedFen) problems.add(`${what}: refunded ${r.refundedFen ?? 0} fen in the ledger, ${p.refundedFen} asked`);
    if (r.provider !== p.provider) problems.add(`${what}: went to ${r.provider}`);
    const charged = status !== 'failed';
    if (charged) paid[p.provider]++;

    let entries: BookEntry[];
    if (p.provider === 'mct1') {
      entries = byOutNo.get(p.outNo) ?? [];
    } else {
      const ref = r.providerRef;
      const other = ref ? refsUsed.get(ref) : undefined;
      if (ref && other) problems.add(`${what}: shares 微收银 bill ${ref} with ${other}`);
      if (ref) refsUsed.set(ref, p.outNo);
      entries = ref && byRef.has(ref) ? [byRef.get(ref)!] : [];
      // A declined payment may carry no bill number; then there is nothing to find, and nothing charged (counted below).
      if (!ref && !charged) continue;
    }
    if (entries.length !== 1) {
      problems.add(`${what}: ${entries.length} sales in ${p.provider}'s books`);
      continue;
    }
    const b = entries[0];
    if (b.charged !== charged) problems.add(`${what}: ${b.charged ? 'charged' : 'not charged'} in ${p.provider}'s books (state ${b.state}), ledger says ${r.status}`);
    if (b.amountFen !== p.amountFen) problems.add(`${what}: ${b.amountFen} fen in ${p.provider}'s books`);
    if (b.refundedFen !== p.refundedFen) problems.add(`${what}: refunded ${b.refundedFen} fen in ${p.provider}'s books, ${p.refundedFen} asked`);
    if (b.refunds !== (p.refundedFen > 0 ? 1 : 0)) problems.add(`${what}: ${b.refunds} refunds in ${p.provider}'s books`);
  }
  // Nothing charged that no paid payment accounts for (a second charge, or one for a payment we lost).
  for (const provider of ['weishouyin', 'mct1'] as const) {
    const charges = books[provider].filter((b) => b.charged).length;
    if (charges !== paid[provider]) problems.add(`${provider}: ${charges} charges in its books, ${paid[provider]} paid payments in the ledger`);
  }
  for (const [outNo, list] of byOutNo) if (!wanted.has(outNo)) problems.add(`mct1: order ${outNo} (${list.length}) in its books, never sent`);
}

/**
 * The sandboxes' books in bytes: their state files (every sale, as the simulator keeps it), or in
 * memory, their back offices' lists (a smaller view of the same).
 */
async function booksBytes(base: string, dataDir: string | undefined): Promise<number> {
  if (dataDir) return readdirSync(dataDir).filter((f) => /^sandbox-.*\.json$/.test(f)).reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0);
  const size = async (path: string) => (await (await fetch(`${base}/sandbox/${path}`)).arrayBuffer()).byteLength;
  return (await size('weishouyin/_admin/bills')) + (await size('mct1/_admin/orders'));
}

/** `npm run bench`: JSON lines `load_payments_per_second` and `load_memory`; a non-zero exit code when anything was lost or duplicated. */
/**
 * The ledger on PostgreSQL (a chain's, issue 8) against SQLite, the same load in the same run: one
 * proxy, LOAD_TERMINALS tills for a quarter of LOAD_SECONDS each, on a throwaway Debian PostgreSQL
 * on loopback that flushes every commit as a real one does. What a proxy gives up (or gains) per
 * second by sharing its books.
 */
export async function postgresLoadBench(databaseUrl: string): Promise<void> {
  const terminals = Number(process.env.LOAD_TERMINALS ?? 16);
  const seconds = Math.max(4, Number(process.env.LOAD_SECONDS ?? 20) / 4);
  const max = Number(process.env.LOAD_MAX ?? 5_000);
  const sqlite = await runLoad({ terminals, seconds, max });
  const postgres = await runLoad({ terminals, seconds, max, databaseUrl });
  console.log(JSON.stringify({
    name: 'load_payments_per_second_postgres', unit: 'payments/s', value: postgres.perSecond,
    terminals, seconds: postgres.seconds, payments: postgres.payments, bounds: { seconds, max },
    immediate_post_p50_ms: postgres.immediate.p50, immediate_post_p99_ms: postgres.immediate.p99,
    baseline: 'the same load with the ledger on SQLite (WAL, synchronous=FULL), same run', baseline_value: sqlite.perSecond,
    baseline_immediate_post_p50_ms: sqlite.immediate.p50, baseline_immediate_post_p99_ms: sqlite.immediate.p99,
    ratio: round(postgres.perSecond / sqlite.perSecond, 2),
    ledger: 'PostgreSQL on loopback (fsync on, synchronous_commit on)',
    ok: postgres.ok && sqlite.ok, problems: [...postgres.problems, ...sqlite.problems.map((p) => `sqlite: ${p}`)],
  }));
  if (!postgres.ok || !sqlite.ok) process.exitCode = 1;
}

export async function loadBench(): Promise<void> {
  const terminals = Number(process.env.LOAD_TERMINALS ?? 16);
  const seconds = Number(process.env.LOAD_SECONDS ?? 20);
  const max = Number(process.env.LOAD_MAX ?? 5_000);
  const memory = Boolean(process.env.BENCH_MEMORY);
  // The comparison: one till, the same mix, sequential, in its own store (a quarter of the time, at most 5 s).
  const single = await runLoad({ terminals: 1, seconds: Math.min(5, seconds / 4), max, memory });
  const load = await runLoad({ terminals, seconds, max, memory, heapSampleMs: 500 });
  const problems = [...load.problems, ...single.problems.map((p) => `one till: ${p}`)];
  console.log(JSON.stringify({
    name: 'load_payments_per_second', unit: 'payments/s', value: load.perSecond,
    terminals, seconds: load.seconds, payments: load.payments, bounds: { seconds, max },
    mix: load.kinds, providers: load.providers, refunds: load.refunds,
    first_quarter: load.perSecondFirstQuarter, last_quarter: load.perSecondLastQuarter,
    immediate_post_n: load.immediate.n, immediate_post_p50_ms: load.immediate.p50, immediate_post_p99_ms: load.immediate.p99, immediate_post_max_ms: load.immediate.max,
    password_to_paid_p50_ms: load.password.p50, password_to_paid_p99_ms: load.password.p99,
    errors: load.errors, error_samples: load.errorSamples, settle_ms: load.settleMs,
    baseline: 'one till, the same mix, sequential, same run', baseline_value: single.perSecond,
    baseline_immediate_post_p50_ms: single.immediate.p50, baseline_immediate_post_p99_ms: single.immediate.p99,
    ratio: round(load.perSecond / single.perSecond, 2),
    ledger: memory ? 'memory' : 'disk (WAL, synchronous=FULL)',
    ok: load.ok && single.ok, problems,
  }));
  const h = load.heap;
  console.log(JSON.stringify({
    name: 'load_memory', unit: 'MiB', heap_first_quarter: h?.firstQuarterMiB, heap_last_quarter: h?.lastQuarterMiB,
    growth_ratio: h?.growth, growth_bytes_per_payment: h?.bytesPerPayment, samples: h?.samples, after_full_gc: h?.gc,
    what: 'process heap used (proxy, sandboxes with their books, and the tills), median of the first vs the last quarter of the load',
    comparison: `the sandboxes keep every sale in memory: their books per payment (${memory ? 'their back offices\' lists as JSON' : 'their state files'})`, sandbox_books_bytes_per_payment: h?.booksBytesPerPayment,
  }));
  if (!load.ok || !single.ok) process.exitCode = 1;
}

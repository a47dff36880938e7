/**
 * The payment service: the payment invariants of DESIGN.md live here.
 * - integer fen, validated before anything is stored;
 * - one `outNo` per payment, stored BEFORE the provider is called; a retry never charges twice;
 * - a payment whose answer was lost is resolved by querying, never by sending it again;
 * - "waiting for the password" is polled on the provider's advice, bounded, then cancelled
 *   where the provider can, and watched afterwards so a late payment is refunded, not lost.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { CreatePaymentRequest, PaymentStatus, PaymentView, RefundRequest, RefundView } from '../../contract/api.ts';
import { FINAL_STATUSES } from '../../contract/api.ts';
import { formatYuan, isValidAmountFen } from '../../contract/money.ts';
import { AuditLog, maskedCode } from '../audit/log.ts';
import { configuredSecrets, type Config } from '../config.ts';
import type { Terminal } from '../auth/terminals.ts';
import type { EventBus } from '../events/bus.ts';
import { ApiError, fromProviderError } from '../http/errors.ts';
import { isUniqueViolation } from '../ledger/db.ts';
import { type Ledger, type PaymentPatch, type PaymentRecord, toView } from '../ledger/payments.ts';
import { matches } from '../providers/index.ts';
import type { Stores } from '../stores/registry.ts';
import { inScope } from '../stores/scope.ts';
import { readItems } from './items.ts';
import type { CallbackEvent, CallbackRequest, PayOutcome, PaymentRef, Provider, ProviderError, ProviderMethod, Result } from '../providers/types.ts';

/** Letters and digits only: what every provider accepts (mct1 refuses anything else). */
const OUT_NO = /^[A-Za-z0-9]{6,32}$/;
const AUTH_CODE = /^[0-9A-Za-z]{10,64}$/;
const BILL_NO = /^[A-Za-z0-9-]{1,20}$/;
/** Errors on a pay call after which we cannot know whether the customer was charged. */
const STATE_UNKNOWN_KINDS = new Set(['network', 'timeout', 'response', 'duplicate']);

export interface ServiceDeps {
  ledger: Ledger;
  stores: Stores;
  bus: EventBus;
  config: Config;
  now?: () => number;
}

export class PaymentService {
  readonly #ledger: Ledger;
  readonly #stores: Stores;
  readonly #bus: EventBus;
  readonly #config: Config;
  readonly #now: () => number;
  /** Payments with a provider call in flight in this process: the resolver leaves them alone. */
  readonly #inFlight = new Map<string, Promise<PaymentRecord>>();
  /** Payments whose last query could not reach the provider (network, timeout): only then may a signed callback alone settle one. */
  readonly #unreachable = new Set<string>();
  /** Audit rows of what only the service sees: a payment stored, a refund settled later, a late payment reversed. */
  readonly #audit: AuditLog;

  constructor(deps: ServiceDeps) {
    this.#ledger = deps.ledger;
    this.#stores = deps.stores;
    this.#bus = deps.bus;
    this.#config = deps.config;
    this.#now = deps.now ?? Date.now;
    this.#audit = new AuditLog(deps.ledger.db, { secrets: configuredSecrets(deps.config), now: this.#now });
  }

  get #timing() {
    return this.#config.timing;
  }

  // ---------------------------------------------------------------- create

  async create(terminal: Terminal, body: unknown): Promise<PaymentView> {
    const req = this.#validateCreate(body);
    const existing = this.#ledger.getPayment(req.outNo);
    if (existing) return this.#replay(existing, req);

    // A cashier pays through its own store's providers (its merchant accounts).
    const store = this.#stores.of(terminal.storeId);
    const route = store.providers.route(req.authCode, req.method);
    if (!route) {
      const down = store.providers.all().find((p) => !p.info().ready);
      if (down) {
        throw new ApiError(503, 'provider_not_ready', `支付渠道暂不可用：${down.info().message ?? '正在连接'} / Payment provider not ready`);
      }
      if (req.method) throw new ApiError(400, 'method_unknown', `未知的支付方式 ${req.method} / Unknown payment method`);
      throw new ApiError(400, 'auth_code_unrecognized', '无法识别的付款码，请让顾客刷新付款码后重扫 / Unrecognised payment code');
    }
    const { provider, method } = route;
    if (method.kind === 'barcode') {
      if (!req.authCode) throw new ApiError(400, 'auth_code_required', '请扫描顾客的付款码 / Scan the customer\'s payment code');
      if (!matches(method, req.authCode)) {
        throw new ApiError(400, 'auth_code_mismatch', `付款码不是${method.name}的付款码 / The code does not belong to ${method.name}`);
      }
    } else if (req.authCode) {
      throw new ApiError(400, 'auth_code_unexpected', `${method.name}不需要付款码 / ${method.name} takes no payment code`);
    }
    if (method.needsBill && !req.billNo) {
      throw new ApiError(400, 'bill_no_required', '请输入售货单号 / Enter the bill number this payment is for');
    }

    const now = this.#now();
    // Stored before the provider is called: if this process dies during the call, the
    // resolver finds the payment at start-up (next_check_at is already due) and asks the provider.
    // out_no is the table's primary key: when another proxy of the chain stored the same outNo
    // between our read and this insert, the insert fails and this is a replay, never a second charge.
    try {
      this.#ledger.insertPayment({
        outNo: req.outNo,
        terminalId: terminal.id,
        storeId: store.id,
        provider: provider.id,
        method: method.id,
        amountFen: req.amountFen,
        authCode: req.authCode,
        status: 'unknown',
        message: '正在提交支付 / Submitting',
        items: req.items,
        remark: req.remark,
        billNo: method.needsBill ? req.billNo : undefined,
        createdAt: new Date(now).toISOString(),
        nextCheckAt: now + this.#timing.requestTimeoutMs + this.#timing.unknownRetryMs,
      });
    } catch (err) {
      const stored = isUniqueViolation(err) ? this.#ledger.getPayment(req.outNo) : undefined;
      if (!stored) throw err;
      return this.#replay(stored, req);
    }

    const audit = (outcome: string) =>
      this.#audit.record({ action: 'payment.create', actor: terminal, subject: req.outNo, amountFen: req.amountFen, outcome, detail: { provider: provider.id, method: method.id, authCode: maskedCode(req.authCode), billNo: req.billNo } });
    const record = await this.#exclusive(req.outNo, async () => {
      const result = await provider.pay({
        outNo: req.outNo,
        amountFen: req.amountFen,
        authCode: req.authCode,
        method,
        items: req.items,
        remark: req.remark,
        notifyUrl: provider.parseCallback ? this.#notifyUrl(provider.id, store.id) : undefined,
        billNo: method.needsBill ? req.billNo : undefined,
      });
      return this.#afterPay(req.outNo, result);
    }).catch((err: unknown) => {
      audit('error');
      throw err;
    });
    audit(record.status);
    return toView(record);
  }

  #validateCreate(body: unknown): CreatePaymentRequest & { authCode?: string } {
    if (!body || typeof body !== 'object') throw new ApiError(400, 'body_invalid', '请求内容无效 / Invalid request body');
    const b = body as Record<string, unknown>;
    if (typeof b.outNo !== 'string' || !OUT_NO.test(b.outNo)) {
      throw new ApiError(400, 'out_no_invalid', 'outNo 必须是 6–32 位字母或数字 / outNo must be 6–32 letters or digits');
    }
    this.#validateAmount(b.amountFen);
    if (b.authCode !== undefined && (typeof b.authCode !== 'string' || !AUTH_CODE.test(b.authCode))) {
      throw new ApiError(400, 'auth_code_invalid', '付款码格式不正确，请重新扫描 / The payment code is malformed, scan again');
    }
    if (b.method !== undefined && typeof b.method !== 'string') throw new ApiError(400, 'method_invalid', 'method 必须是字符串 / method must be a string');
    if (b.remark !== undefined && (typeof b.remark !== 'string' || b.remark.length > 200)) {
      throw new ApiError(400, 'remark_invalid', '备注最多 200 字 / Remark is limited to 200 characters');
    }
    if (b.billNo !== undefined && (typeof b.billNo !== 'string' || !BILL_NO.test(b.billNo))) {
      throw new ApiError(400, 'bill_no_invalid', '售货单号为 1–20 位字母、数字或 - / The bill number is 1–20 letters, digits or -');
    }
    return {
      outNo: b.outNo,
      amountFen: b.amountFen as number,
      billNo: b.billNo as string | undefined,
      authCode: b.authCode as string | undefined,
      method: b.method as string | undefined,
      items: readItems(b.items),
      remark: b.remark as string | undefined,
    };
  }

  #validateAmount(fen: unknown): asserts fen is number {
    if (typeof fen !== 'number' || !Number.isInteger(fen)) {
      throw new ApiError(400, 'amount_invalid', '金额必须是整数分 / amountFen must be a whole number of fen');
    }
    if (fen <= 0) throw new ApiError(400, 'amount_invalid', '金额必须大于 0 / The amount must be more than 0');
    if (!isValidAmountFen(fen, this.#config.maxAmountFen)) {
      throw new ApiError(
        400,
        'amount_too_large',
        `金额超过单笔上限 ${formatYuan(this.#config.maxAmountFen)} 元 / Over the limit of ${formatYuan(this.#config.maxAmountFen)} yuan`,
      );
    }
  }

  /** The same outNo again: the same payment, never a second charge. */
  async #replay(existing: PaymentRecord, req: CreatePaymentRequest): Promise<PaymentView> {
    if (existing.amountFen !== req.amountFen) {
      throw new ApiError(
        409,
        'out_no_conflict',
        `单号 ${existing.outNo} 已用于 ${formatYuan(existing.amountFen)} 元的支付 / outNo already used for another amount`,
      );
    }
    const inFlight = this.#inFlight.get(existing.outNo);
    if (inFlight) return toView(await inFlight);
    return this.get(existing.outNo);
  }

  // ---------------------------------------------------------------- read

  /** The payment; when not final and a check is due, asked of the provider first. */
  async get(outNo: string): Promise<PaymentView> {
    const p = this.#ledger.getPayment(outNo);
    if (!p) throw new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
    if (p.nextCheckAt !== undefined && p.nextCheckAt <= this.#now() && !this.#inFlight.has(outNo)) {
      return toView(await this.check(outNo));
    }
    return toView(p);
  }

  // ---------------------------------------------------------------- resolution

  /** One resolution step for a payment that is not settled (or is being watched). */
  async check(outNo: string): Promise<PaymentRecord> {
    const running = this.#inFlight.get(outNo);
    if (running) return running;
    return this.#exclusive(outNo, () => this.#checkNow(outNo));
  }

  async #checkNow(outNo: string): Promise<PaymentRecord> {
    const p = this.#ledger.getPayment(outNo);
    if (!p) throw new Error(`no payment ${outNo}`);
    const provider = this.#providerOf(p);
    const ref = this.#refOf(p);
    const now = this.#now();

    if (p.errorCode === 'reversal_pending') return this.#reverse(p, provider, ref);

    if (p.status === 'paying' || p.status === 'unknown') {
      if (p.status === 'paying' && p.deadlineAt !== undefined && now >= p.deadlineAt) return this.#giveUp(p, provider, ref, 'timeout');
      const result = await provider.query(ref);
      return this.#afterQuery(p, result);
    }

    // Closed by us (timeout, cashier cancel, lost answer): keep watching for a late payment.
    if (p.watchUntil !== undefined) {
      if (now > p.watchUntil) return this.#update(p, { nextCheckAt: undefined, watchUntil: undefined }, 'watch ended');
      const result = await provider.query(ref);
      if (result.ok && result.state === 'paid') {
        const paid = this.#update(p, { ...paidPatch(result), status: 'paid', errorCode: 'reversal_pending' }, 'paid after it was closed');
        return this.#reverse(paid, provider, ref);
      }
      return this.#update(p, { nextCheckAt: now + this.#timing.watchIntervalMs, checks: p.checks + 1 }, 'watch');
    }
    return this.#update(p, { nextCheckAt: undefined }, 'nothing to check');
  }

  #afterPay(outNo: string, result: Result<PayOutcome>): PaymentRecord {
    const p = this.#ledger.getPayment(outNo)!;
    const now = this.#now();
    if (result.ok) return this.#applyOutcome(p, result, 'pay answer');
    const e = result.error;
    if (STATE_UNKNOWN_KINDS.has(e.kind)) {
      // The customer may or may not have been charged: ask, never resend.
      return this.#update(
        p,
        {
          status: 'unknown',
          errorCode: `provider_${e.kind}`,
          message: '支付结果未返回，正在向支付机构确认，请勿重复收款 / No answer yet — confirming, do not charge again',
          nextCheckAt: now + this.#timing.unknownRetryMs,
        },
        `pay ${e.kind}`,
      );
    }
    // The provider refused the request (or we never sent it): nothing was charged.
    return this.#update(p, { status: 'failed', errorCode: `provider_${e.kind}`, message: e.message, nextCheckAt: undefined }, `pay ${e.kind}`);
  }

  #afterQuery(p: PaymentRecord, result: Result<PayOutcome>): PaymentRecord {
    const now = this.#now();
    if (!result.ok && (result.error.kind === 'network' || result.error.kind === 'timeout')) this.#unreachable.add(p.outNo);
    else this.#unreachable.delete(p.outNo);
    if (!result.ok) {
      // Could not ask: try again later with a growing pause. The payment is never forgotten.
      const wait = Math.min(this.#timing.unknownRetryMs * 2 ** Math.min(p.checks, 5), 60_000);
      return this.#update(p, { nextCheckAt: now + wait, checks: p.checks + 1 }, `query ${result.error.kind}`);
    }
    if (result.state === 'failed' && p.status === 'unknown') {
      // "No such order" right after a lost answer may only mean the provider has not booked it yet.
      const graceEnds = Date.parse(p.createdAt) + this.#timing.unknownGraceMs;
      if (now < graceEnds) {
        return this.#update(p, { nextCheckAt: Math.min(now + this.#timing.unknownRetryMs, graceEnds), checks: p.checks + 1 }, 'query: not yet known');
      }
      return this.#update(
        p,
        {
          status: 'failed',
          errorCode: 'not_charged',
          // Our words first (zh/en, what the cashier can act on), the provider's own after them.
          message: `支付机构没有这笔支付，顾客未被扣款 / The provider has no such payment; the customer was not charged${result.message ? `（${result.message}）` : ''}`,
          watchUntil: now + this.#timing.watchMs,
          nextCheckAt: now + this.#timing.watchIntervalMs,
        },
        'query: not charged',
      );
    }
    return this.#applyOutcome(p, result, 'query answer');
  }

  #applyOutcome(p: PaymentRecord, o: PayOutcome, reason: string): PaymentRecord {
    const now = this.#now();
    switch (o.state) {
      case 'paid':
        if (o.amountFen !== undefined && o.amountFen !== p.amountFen) {
          // Never happens with a sane provider; keep checking and make it visible rather than book a wrong amount.
          return this.#update(
            p,
            {
              errorCode: 'amount_mismatch',
              message: `支付机构报告的金额 ${formatYuan(o.amountFen)} 与订单不符，请联系店长 / Provider reports a different amount`,
              nextCheckAt: now + this.#timing.watchIntervalMs,
            },
            reason,
          );
        }
        return this.#update(p, { ...paidPatch(o), status: 'paid', errorCode: undefined, nextCheckAt: undefined, deadlineAt: undefined }, reason);
      case 'paying': {
        const qr = this.#refOf(p).method.kind === 'qr';
        return this.#update(
          p,
          {
            ...billPatch(o),
            status: 'paying',
            providerRef: o.providerRef ?? p.providerRef,
            qrCode: o.qrCode ?? p.qrCode,
            errorCode: undefined,
            message: qr
              ? '请顾客扫码支付 / Waiting for the customer to scan and pay'
              : '等待顾客输入密码 / Waiting for the customer to enter the password',
            deadlineAt: p.deadlineAt ?? now + (qr ? this.#timing.qrTimeoutMs : this.#timing.payingTimeoutMs),
            nextCheckAt: now + this.#timing.pollIntervalMs,
            checks: p.checks + 1,
          },
          reason,
        );
      }
      case 'failed':
        return this.#update(
          p,
          { status: 'failed', providerRef: o.providerRef ?? p.providerRef, errorCode: o.providerCode ? `provider_${o.providerCode}` : 'declined', message: o.message ?? '支付失败 / Payment failed', nextCheckAt: undefined },
          reason,
        );
      case 'cancelled':
        return this.#update(p, { status: 'cancelled', message: o.message ?? '已撤销 / Cancelled', nextCheckAt: undefined }, reason);
    }
  }

  /**
   * Stop waiting for the customer: cancel where the provider can; otherwise close the payment
   * ourselves and keep watching it, so a payment made after this moment is refunded.
   */
  async #giveUp(p: PaymentRecord, provider: Provider, ref: PaymentRef, why: 'timeout' | 'cashier'): Promise<PaymentRecord> {
    const now = this.#now();
    const watch = { watchUntil: now + this.#timing.watchMs, nextCheckAt: now + this.#timing.watchIntervalMs };
    const cancelled = await provider.cancel(ref);
    if (cancelled.ok) {
      return this.#update(p, { status: 'cancelled', errorCode: why === 'timeout' ? 'payment_timeout' : 'cancelled_by_cashier', message: '已撤销，顾客未被扣款 / Cancelled; the customer was not charged', deadlineAt: undefined, ...watch }, `cancel (${why})`);
    }
    // No cancel (or it failed): one more query closes the race where the customer just paid.
    const last = await provider.query(ref);
    // A lost answer cannot be closed by us: only the provider's word settles it.
    if (p.status === 'unknown') return this.#afterQuery(p, last);
    if (last.ok && last.state !== 'paying') return this.#applyOutcome(p, last, `final query (${why})`);
    const message =
      why === 'timeout'
        ? '顾客未在规定时间内完成支付，本单已作废；若顾客随后被扣款，系统会自动退款 / The customer did not confirm in time; this sale is void and any late charge is refunded automatically'
        : '收银员已取消本单；若顾客随后被扣款，系统会自动退款 / Cancelled by the cashier; any late charge is refunded automatically';
    return this.#update(
      p,
      { status: 'failed', errorCode: why === 'timeout' ? 'payment_timeout' : 'cancelled_by_cashier', message, deadlineAt: undefined, ...watch },
      `closed (${why})`,
    );
  }

  /** A payment we had already closed was paid after all: give the money back in full. */
  async #reverse(p: PaymentRecord, provider: Provider, ref: PaymentRef): Promise<PaymentRecord> {
    const refundNo = `${p.outNo.slice(0, 29)}REV`;
    const refunding = '顾客在本单作废后完成了支付，正在自动退款 / Paid after the sale was voided; refunding automatically';
    const reversed = (cur: PaymentRecord) => {
      this.#audit.record({ action: 'refund.reversal', actor: 'system', terminalId: cur.terminalId, subject: cur.outNo, refundNo, amountFen: cur.amountFen, outcome: 'refunded' });
      return this.#update(
        cur,
        { status: 'refunded', refundedFen: cur.amountFen, errorCode: 'reversed', message: '顾客在本单作废后完成了支付，已自动全额退款 / Paid after the sale was voided; refunded in full automatically', nextCheckAt: undefined, watchUntil: undefined },
        'automatic reversal',
      );
    };
    const earlier = this.#ledger.getRefund(refundNo);
    if (earlier?.status === 'refunded') return reversed(this.#ledger.getPayment(p.outNo)!);
    if (earlier?.status === 'unknown') {
      // Sent before and never answered (or the proxy died during the call): the resolver's refund
      // check settles it by asking; never send a refund twice (微收银's carries no number the
      // provider could deduplicate). Once it is refunded or failed, the next look goes on.
      if (earlier.nextCheckAt === undefined) this.#ledger.updateRefund(refundNo, { nextCheckAt: this.#now() });
      return this.#update(p, { message: refunding, nextCheckAt: this.#now() + this.#timing.unknownRetryMs, checks: p.checks + 1 }, 'reversal: refund not confirmed yet');
    }
    // 'failed': the provider has no such refund; it is sent again below.
    // Due for a check if this process dies during the call (a restart then asks before sending again).
    const nextCheckAt = this.#now() + this.#timing.requestTimeoutMs + this.#timing.unknownRetryMs;
    if (!earlier) {
      this.#ledger.insertRefund({ refundNo, outNo: p.outNo, amountFen: p.amountFen, status: 'unknown', reason: 'automatic reversal of a late payment', createdAt: new Date(this.#now()).toISOString() });
    }
    this.#ledger.updateRefund(refundNo, { status: 'unknown', nextCheckAt });
    const result = await provider.refund({ ...ref, providerRef: p.providerRef ?? ref.providerRef }, { refundNo, amountFen: p.amountFen });
    if (result.ok) {
      this.#ledger.updateRefund(refundNo, { status: 'refunded', providerRef: result.providerRef, printinfo: result.printinfo, nextCheckAt: undefined });
      return reversed(p);
    }
    if (result.error.kind === 'unsupported') {
      // No refund call at this provider (kioskv5, posmini): the money stays with the store. Say so, stop.
      this.#ledger.updateRefund(refundNo, { status: 'failed', message: result.error.message, nextCheckAt: undefined });
      return this.#update(
        p,
        { errorCode: 'refund_by_hand', message: '顾客在本单作废后完成了支付；该支付渠道没有退款接口，请店长人工退款 / Paid after the sale was voided; this provider has no refund call: refund it by hand', nextCheckAt: undefined, watchUntil: undefined },
        'reversal unsupported',
      );
    }
    // No answer: the next check asks (above). Refused: the next check sends it again.
    this.#ledger.updateRefund(
      refundNo,
      STATE_UNKNOWN_KINDS.has(result.error.kind) ? { nextCheckAt: this.#now() + this.#timing.unknownRetryMs } : { status: 'failed', message: result.error.message, nextCheckAt: undefined },
    );
    return this.#update(p, { message: refunding, nextCheckAt: this.#now() + this.#timing.unknownRetryMs, checks: p.checks + 1 }, `reversal ${result.error.kind}`);
  }

  // ---------------------------------------------------------------- cancel

  async cancel(outNo: string): Promise<PaymentView> {
    const p = this.#ledger.getPayment(outNo);
    if (!p) throw new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
    if (p.status === 'paid' || p.status === 'refunded') {
      throw new ApiError(409, 'already_paid', '该笔已支付，请走退款流程 / Already paid — refund it instead');
    }
    if (p.status === 'failed' || p.status === 'cancelled') return toView(p);
    const record = await this.#exclusive(outNo, async () => {
      const cur = this.#ledger.getPayment(outNo)!;
      if (cur.status !== 'paying' && cur.status !== 'unknown') return cur;
      return this.#giveUp(cur, this.#providerOf(cur), this.#refOf(cur), 'cashier');
    });
    return toView(record);
  }

  // ---------------------------------------------------------------- refunds

  async refund(terminal: Terminal, outNo: string, body: unknown): Promise<RefundView> {
    const req = body as Partial<RefundRequest> | null;
    if (terminal.role !== 'manager' && !this.#supervisorOk(req?.supervisorPassword)) {
      throw new ApiError(403, 'supervisor_required', '退款需要店长权限或主管密码 / Refunds need a manager or the supervisor password');
    }
    if (typeof req?.refundNo !== 'string' || !OUT_NO.test(req.refundNo)) {
      throw new ApiError(400, 'refund_no_invalid', 'refundNo 必须是 6–32 位字母数字 / refundNo must be 6–32 letters or digits');
    }
    this.#validateAmount(req.amountFen);
    const p = this.#ledger.getPayment(outNo);
    // Another store's payment is refunded there, not here: as if it did not exist.
    if (!p || !inScope(terminal, p.storeId, this.#stores)) throw new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);

    const existing = this.#ledger.getRefund(req.refundNo);
    if (existing) {
      if (existing.outNo !== outNo || existing.amountFen !== req.amountFen) {
        throw new ApiError(409, 'refund_no_conflict', '退款单号已用于另一笔退款 / refundNo already used for another refund');
      }
      return this.#refundView(existing.refundNo);
    }
    if (p.status !== 'paid' && p.status !== 'refunded') {
      throw new ApiError(409, 'not_refundable', '只有已支付的订单可以退款 / Only paid payments can be refunded');
    }

    const refundNo = req.refundNo;
    const amountFen = req.amountFen;
    this.#ledger.transaction(() => {
      const refundable = p.amountFen - this.#ledger.committedRefundFen(outNo);
      if (amountFen > refundable) {
        throw new ApiError(422, 'refund_exceeds', `最多可退 ${formatYuan(refundable)} 元 / At most ${formatYuan(refundable)} yuan can be refunded`);
      }
      this.#ledger.insertRefund({ refundNo, outNo, amountFen, status: 'unknown', reason: req.reason?.slice(0, 200), terminalId: terminal.id, createdAt: new Date(this.#now()).toISOString() });
      // As a payment is: if this process dies during the call, the resolver finds the refund due
      // after a restart and settles it by asking the provider (never by sending it again).
      this.#ledger.updateRefund(refundNo, { nextCheckAt: this.#now() + this.#timing.requestTimeoutMs + this.#timing.unknownRetryMs });
    });

    // A password typed for the refund goes on to the provider (mct1 shop_pass) unless it is the
    // proxy's own supervisor password, which only authorises the terminal here.
    const typed = typeof req.supervisorPassword === 'string' && req.supervisorPassword && !this.#supervisorOk(req.supervisorPassword) ? req.supervisorPassword : undefined;
    const result = await this.#providerOf(p).refund(this.#refOf(p), { refundNo, amountFen, supervisorPassword: typed, reason: req.reason });
    if (result.ok) {
      this.#ledger.transaction(() => {
        this.#ledger.updateRefund(refundNo, { providerRef: result.providerRef, printinfo: result.printinfo });
        this.#confirmRefund(refundNo, outNo, result.message ?? '退款成功 / Refunded');
      });
      return this.#refundView(refundNo);
    }
    if (STATE_UNKNOWN_KINDS.has(result.error.kind)) {
      // Never re-sent (微收银 refunds carry no refund number to deduplicate): the resolver reads the bill.
      this.#ledger.updateRefund(refundNo, {
        message: '退款结果未返回，系统正在向支付机构核对 / No answer yet — checking the provider\'s bill',
        nextCheckAt: this.#now() + this.#timing.unknownRetryMs,
      });
      return this.#refundView(refundNo);
    }
    this.#ledger.updateRefund(refundNo, { status: 'failed', message: result.error.message });
    throw fromProviderError(result.error);
  }

  /**
   * Settles a refund whose answer was lost by reading the provider's bill: the provider's refunded
   * total covers what we have booked plus this one → it went through; otherwise, after the grace
   * period, it did not.
   */
  async checkRefund(refundNo: string): Promise<void> {
    const before = this.#ledger.getRefund(refundNo);
    await this.#checkRefundNow(refundNo);
    const after = this.#ledger.getRefund(refundNo);
    if (before?.status === 'unknown' && after && after.status !== 'unknown') {
      const p = this.#ledger.getPayment(after.outNo);
      this.#audit.record({ action: 'refund.outcome', actor: 'system', terminalId: p?.terminalId, subject: after.outNo, refundNo, amountFen: after.amountFen, outcome: after.status, detail: { requestedBy: after.terminalId } });
    }
  }

  async #checkRefundNow(refundNo: string): Promise<void> {
    const r = this.#ledger.getRefund(refundNo);
    if (!r || r.status !== 'unknown') return;
    const p = this.#ledger.getPayment(r.outNo)!;
    const provider = this.#providerOf(p);
    const now = this.#now();
    if (provider.refundQuery) {
      const q = await provider.refundQuery(this.#refOf(p), refundNo);
      if (q.ok && q.state === 'refunded') return this.#confirmRefund(r.refundNo, r.outNo, '退款成功（已查询确认） / Refunded (confirmed by query)');
      if (q.ok && q.state === 'failed' && now - Date.parse(r.createdAt) > this.#timing.unknownGraceMs) {
        this.#ledger.updateRefund(refundNo, { status: 'failed', message: '支付机构没有这笔退款，未退款 / The provider has no such refund: not refunded', nextCheckAt: undefined });
        return;
      }
      this.#ledger.updateRefund(refundNo, { nextCheckAt: now + Math.min(this.#timing.unknownRetryMs * 4, 60_000) });
      return;
    }
    const bill = await provider.bill(this.#refOf(p));
    if (!bill.ok) {
      this.#ledger.updateRefund(refundNo, { nextCheckAt: now + Math.min(this.#timing.unknownRetryMs * 4, 60_000) });
      return;
    }
    if (bill.refundedFen >= this.#ledger.refundedFen(r.outNo) + r.amountFen) {
      this.#confirmRefund(refundNo, r.outNo, '退款成功（已核对账单） / Refunded (checked against the bill)');
    } else if (now - Date.parse(r.createdAt) > this.#timing.unknownGraceMs) {
      this.#ledger.updateRefund(refundNo, { status: 'failed', message: '支付机构账单中没有这笔退款，未退款 / Not in the provider\'s bill: not refunded', nextCheckAt: undefined });
    } else {
      this.#ledger.updateRefund(refundNo, { nextCheckAt: now + this.#timing.unknownRetryMs });
    }
  }

  #confirmRefund(refundNo: string, outNo: string, message: string): void {
    this.#ledger.transaction(() => {
      this.#ledger.updateRefund(refundNo, { status: 'refunded', message, nextCheckAt: undefined });
      const p = this.#ledger.getPayment(outNo)!;
      const refundedFen = this.#ledger.refundedFen(outNo);
      this.#update(p, { refundedFen, status: refundedFen === p.amountFen ? 'refunded' : p.status }, `refund ${refundNo} confirmed`);
    });
  }

  #refundView(refundNo: string): RefundView {
    const r = this.#ledger.getRefund(refundNo)!;
    const p = this.#ledger.getPayment(r.outNo)!;
    return {
      refundNo: r.refundNo,
      status: r.status,
      amountFen: r.amountFen,
      refundableFen: p.amountFen - this.#ledger.committedRefundFen(r.outNo),
      message: r.message,
    };
  }

  #supervisorOk(given: unknown): boolean {
    const expected = this.#config.supervisorPassword;
    if (!expected || typeof given !== 'string') return false;
    // Hash both so the comparison is constant-time whatever the lengths.
    const h = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(h(given), h(expected));
  }

  // ---------------------------------------------------------------- callbacks

  /**
   * A provider's callback: verified by the provider (signature, timestamp window), refused as a
   * replay when its key was seen, then confirmed with a query before the ledger changes. Every
   * arrival is recorded. Returns what to answer the provider.
   */
  async handleCallback(providerId: string, req: CallbackRequest, storeId = this.#stores.default.id): Promise<{ status: 200 | 400 | 404; body: string }> {
    const provider = this.#stores.provider(storeId, providerId);
    if (!provider?.parseCallback) return { status: 404, body: 'unknown provider' };
    const parsed = provider.parseCallback(req);
    if (!parsed.ok) {
      this.#ledger.recordCallback({ provider: provider.id, outNo: req.query.out_no, outcome: 'rejected', detail: `${parsed.error.kind}: ${parsed.error.message}` });
      console.warn(`[notify] ${provider.id}: refused a callback (${parsed.error.kind}): ${parsed.error.message}`);
      return { status: 400, body: 'fail' };
    }
    const e = parsed.event;
    const p = this.#ledger.getPayment(e.outNo);
    if (!p || p.provider !== provider.id || p.storeId !== storeId) {
      this.#ledger.recordCallback({ provider: provider.id, replayKey: e.replayKey, outNo: e.outNo, state: e.state, outcome: 'unknown_order' });
      console.warn(`[notify] ${provider.id}: callback for an order we do not have (${e.outNo})`);
      return { status: 404, body: 'unknown order' };
    }
    if (!this.#ledger.recordCallback({ provider: provider.id, replayKey: e.replayKey, outNo: e.outNo, state: e.state, outcome: 'accepted' })) {
      this.#ledger.recordCallback({ provider: provider.id, outNo: e.outNo, state: e.state, outcome: 'replayed' });
      console.warn(`[notify] ${provider.id}: replayed callback for ${e.outNo} ignored`);
      return { status: 200, body: provider.callbackAnswer ?? 'ok' };
    }
    await this.#settleFromCallback(p, e);
    return { status: 200, body: provider.callbackAnswer ?? 'ok' };
  }

  async #settleFromCallback(p: PaymentRecord, e: CallbackEvent): Promise<void> {
    if (p.status === e.state) return;
    const closedByUs = p.status === 'failed' || p.status === 'cancelled';
    if (closedByUs && e.state === 'paid') {
      // We had closed it, the provider says paid: watch it again; the check below refunds it.
      const now = this.#now();
      this.#ledger.updatePayment(p.outNo, { watchUntil: now + this.#timing.watchMs, nextCheckAt: now }, 'paid callback after close');
    } else if (isFinal(p.status)) {
      return;
    }
    // Confirm with the provider (and get the details the callback lacks).
    const checked = await this.check(p.outNo);
    // The provider could not be asked: the signed callback alone settles a payment still open. When it
    // answered (still waiting, another amount…), its answer stands and the callback changes nothing.
    if (!isFinal(checked.status) && this.#unreachable.has(p.outNo) && (e.state === 'paid' || e.state === 'cancelled')) {
      this.#applyOutcome(checked, { state: e.state, providerRef: e.providerRef }, 'verified callback');
    }
    if (isFinal(checked.status)) this.#unreachable.delete(p.outNo);
  }

  /** `/notify/<provider>` for the default store (the address a single store always had), else `/notify/<provider>/<store>`. */
  #notifyUrl(providerId: string, storeId: string): string | undefined {
    if (!this.#config.publicUrl) return undefined;
    const base = `${this.#config.publicUrl.replace(/\/+$/, '')}/notify/${providerId}`;
    return storeId === this.#stores.default.id ? base : `${base}/${storeId}`;
  }

  // ---------------------------------------------------------------- helpers

  async #exclusive(outNo: string, fn: () => Promise<PaymentRecord>): Promise<PaymentRecord> {
    const running = fn().finally(() => this.#inFlight.delete(outNo));
    this.#inFlight.set(outNo, running);
    return running;
  }

  isBusy(outNo: string): boolean {
    return this.#inFlight.has(outNo);
  }

  #update(p: PaymentRecord, patch: PaymentPatch, reason: string): PaymentRecord {
    const next = this.#ledger.updatePayment(p.outNo, patch, reason);
    if (next.status !== p.status || next.message !== p.message || next.providerRef !== p.providerRef || next.refundedFen !== p.refundedFen) {
      this.#bus.publish(toView(next), next.terminalId);
    }
    return next;
  }

  #providerOf(p: PaymentRecord): Provider {
    const provider = this.#stores.provider(p.storeId, p.provider);
    if (!provider) throw new ApiError(503, 'provider_unavailable', `支付渠道 ${p.provider} 未配置 / Provider not configured`);
    return provider;
  }

  #refOf(p: PaymentRecord): PaymentRef {
    const provider = this.#providerOf(p);
    const method: ProviderMethod =
      provider.methods().find((m) => m.id === p.method) ??
      ({ id: p.method, code: p.method.slice(p.method.indexOf(':') + 1), name: p.method, kind: 'barcode' } satisfies ProviderMethod);
    return { outNo: p.outNo, method, amountFen: p.amountFen, authCode: p.authCode, providerRef: p.providerRef, billNo: p.billNo };
  }
}

function paidPatch(o: PayOutcome): PaymentPatch {
  return {
    ...billPatch(o),
    providerRef: o.providerRef,
    tradeNo: o.tradeNo,
    paidAt: o.paidAt ?? new Date().toISOString(),
    printinfo: o.printinfo,
    message: o.message ?? '支付成功 / Paid',
  };
}

/** What the provider said of the sales bill and its own figures, when it said anything. */
function billPatch(o: PayOutcome): PaymentPatch {
  const patch: PaymentPatch = {};
  if (o.bill) {
    patch.billFullyPaid = o.bill.fullyPaid;
    patch.billBalanceFen = o.bill.balanceFen;
  }
  if (o.details) patch.details = o.details;
  return patch;
}

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export type { ProviderError };

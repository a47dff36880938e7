/**
 * The kioskv5 sandbox's state types, its fee arithmetic and the answers it sends, in the seed's
 * shapes: the pay record as Go's encoding/json prints the seed's struct (field names as keys, in
 * struct order, `omitempty` fields left out when zero, <, > and & escaped as \u003c…). Pure, and
 * deliberately independent of codec.ts so a symmetric bug cannot hide. SANDBOX ONLY.
 */
import { alnum, digits } from '../sandbox-kit/index.ts';
import type { HttpAuth } from '../http-auth.ts';

export interface SimShop {
  shopId: number;
  name: string;
  auth: HttpAuth;
  /** How this shop's answers look: an envelope {code, msg, data} or the bare value. */
  answers: 'envelope' | 'bare';
  /** 收款账户 (AccountId of its records). */
  accountId: number;
  /** Decimal strings, e.g. "0.0038": kept exact, printed as JSON numbers. */
  withdrawFeeRatio: string;
  userFeeRatio: string;
  actFeeRatio: string;
  createdAt: string;
}

export type SimPtype = 312 | 210;

export interface SimPayRecord {
  id: number;
  shopId: number;
  orderId: number;
  ptype: SimPtype;
  /** create_pay_record (barcode) or terminal_create_pay_record (qr). */
  kind: 'barcode' | 'qr';
  /** 0 待支付 1 已支付 2 取消. */
  status: 0 | 1 | 2;
  price: number;
  /** user_fee as requested. */
  userFee: number;
  userId: number;
  accountId: number;
  payOrderId: string;
  createTime: string;
  createMs: number;
  payTime: string;
  exUserFee: number;
  userFeePrice: number;
  userFeeRatio: string;
  payPrice: number;
  withdrawFeeRatio: string;
  withdrawFee: number;
  realPrice: number;
  actPrice: number;
  actFeeRatio: string;
  actFee: number;
  totalPrice: number;
  refunds: number;
  paidType: number;
  bankType: string;
  desc: string;
  /**
   * A barcode payment waiting for the customer: get_pay_record polls left before it is paid, or
   * null (only the back office pays it). Undefined: no payment in progress.
   */
  pollsLeft?: number | null;
  /** The payment code used (sandbox: shown masked in the back office). */
  authCode?: string;
  /** Why a payment failed (not part of the seed's record). */
  failReason?: string;
}

export interface SimPassCard {
  id: number;
  shopId: number;
  orderId: number;
  payRecordId: number;
  userId: number;
  code: string;
  /** 0 未使用 1 已使用 2 已作废. */
  status: 0 | 1 | 2;
  createTime: string;
  useTime: string;
  desc: string;
}

export interface SimState {
  version: 1;
  nextRecordId: number;
  nextCardId: number;
  shops: Record<string, SimShop>;
  records: Record<string, SimPayRecord>;
  /** `${shopId} ${orderId}` → record id: create is idempotent on (sid, oid). */
  byOrder: Record<string, number>;
  /** Real-looking (non-sandbox) payment code → record id: a wallet code pays once. */
  authCodes: Record<string, number>;
  cards: Record<string, SimPassCard>;
}

// --- fees -----------------------------------------------------------------------------------------

const RATIO = /^(0|[1-9]\d{0,2})(?:\.(\d{1,12}))?$/;

/** Whether a text is a ratio we accept: a non-negative decimal with up to 12 places, < 1000. */
export function isRatio(text: unknown): text is string {
  return typeof text === 'string' && RATIO.test(text);
}

/**
 * round-half-up(amountFen × ratio), exact: the ratio is read as the integer fraction num / 10^k and
 * the product computed in BigInt (a float product of e.g. 12500 × 0.0038 is not 47.5 exactly).
 */
export function feeFen(amountFen: number, ratio: string): number {
  const m = RATIO.exec(ratio);
  if (!m || !Number.isSafeInteger(amountFen) || amountFen < 0) throw new RangeError(`bad fee input ${amountFen} × ${ratio}`);
  const frac = m[2] ?? '';
  const num = BigInt(m[1] + frac);
  const den = 10n ** BigInt(frac.length);
  return Number((BigInt(amountFen) * num * 2n + den) / (2n * den));
}

/**
 * The sandbox's fee model (the seed names the fields, not the rules; this is a plausible reading):
 *   ExUserFee    user_fee when the request gives one, else round(Price × UserFeeRatio)
 *   UserFeePrice the amount that surcharge was taken on: Price when there is one, else 0
 *   PayPrice     Price + ExUserFee                    (what the customer pays)
 *   WithdrawFee  round(PayPrice × WithdrawFeeRatio)   (the per-payment fee, default ratio 0.0038)
 *   RealPrice    PayPrice − WithdrawFee               (到店金额)
 *   ActPrice     Price when the shop has an activity ratio, else 0
 *   ActFee       round(ActPrice × ActFeeRatio)        (活动奖励)
 *   TotalPrice   RealPrice + ActFee                   (what the shop gets in total)
 *   Refunds      0                                    (4S店返佣: no such shop here)
 * round = half up, in integer arithmetic.
 */
export function feesOf(price: number, userFee: number, shop: Pick<SimShop, 'withdrawFeeRatio' | 'userFeeRatio' | 'actFeeRatio'>) {
  const exUserFee = userFee > 0 ? userFee : feeFen(price, shop.userFeeRatio);
  const payPrice = price + exUserFee;
  const withdrawFee = feeFen(payPrice, shop.withdrawFeeRatio);
  const realPrice = payPrice - withdrawFee;
  const actPrice = Number(shop.actFeeRatio) > 0 ? price : 0;
  const actFee = feeFen(actPrice, shop.actFeeRatio);
  return {
    exUserFee,
    userFeePrice: exUserFee > 0 ? price : 0,
    userFeeRatio: shop.userFeeRatio,
    payPrice,
    withdrawFeeRatio: shop.withdrawFeeRatio,
    withdrawFee,
    realPrice,
    actPrice,
    actFeeRatio: shop.actFeeRatio,
    actFee,
    totalPrice: realPrice + actFee,
    refunds: 0,
  };
}

// --- encoding -------------------------------------------------------------------------------------

/** JSON as Go's encoding/json writes it: <, >, &, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** China time "YYYY-MM-DD HH:MM:SS" of an epoch ms. */
export function cst(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The wallet's transaction number once paid. */
export function walletTradeNo(ptype: SimPtype, ms: number): string {
  const ymd = cst(ms).slice(0, 10).replace(/-/g, '');
  return ptype === 312 ? `4200000${digits(3)}${ymd}${digits(10)}` : `${ymd}2100100${digits(13)}`;
}

/** What the customer's wallet scans. */
export function qrContent(ptype: SimPtype): string {
  return ptype === 312 ? `weixin://wxpay/bizpayurl?pr=${alnum(7)}` : `https://qr.alipay.com/${alnum(18).toLowerCase()}`;
}

/** A decimal ratio string → the JSON number Go prints for the float64. */
function ratioNumber(text: string): number {
  return Number(text);
}

/**
 * The record as the seed's Go struct encodes: keys in struct order; `omitempty` fields (OrderId,
 * ShopUserId, PayOrderId, CreateTime, PayTime, Status, Price, PayPrice, WithdrawFeeRatio,
 * WithdrawFee, Refunds, PaidType, BankType, Desc) left out when zero or "".
 * @see seeds/000 create_pay_record result
 */
export function recordJson(r: SimPayRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: number | string, omitEmpty: boolean) => {
    if (omitEmpty && (value === 0 || value === '')) return;
    out[key] = value;
  };
  put('Id', r.id, false);
  put('OrderId', r.orderId, true);
  put('UserId', r.userId, false);
  put('ShopId', r.shopId, false);
  put('AccountId', r.accountId, false);
  put('ShopUserId', 0, true);
  put('PayOrderId', r.payOrderId, true);
  put('CreateTime', r.createTime, true);
  put('PayTime', r.payTime, true);
  put('Status', r.status, true);
  put('Price', r.price, true);
  put('ExUserFee', r.exUserFee, false);
  put('UserFeePrice', r.userFeePrice, false);
  put('UserFeeRatio', ratioNumber(r.userFeeRatio), false);
  put('PayPrice', r.payPrice, true);
  put('WithdrawFeeRatio', ratioNumber(r.withdrawFeeRatio), true);
  put('WithdrawFee', r.withdrawFee, true);
  put('RealPrice', r.realPrice, false);
  put('ActPrice', r.actPrice, false);
  put('ActFeeRatio', ratioNumber(r.actFeeRatio), false);
  put('ActFee', r.actFee, false);
  put('TotalPrice', r.totalPrice, false);
  put('Refunds', r.refunds, true);
  put('PaidType', r.paidType, true);
  put('BankType', r.bankType, true);
  put('Desc', r.desc, true);
  return out;
}

/**
 * A pass card as we assume the backend's Go struct prints it (the seed gives no shape):
 *   Id int; ShopId int; OrderId int; PayRecordId int; UserId int; Code string;
 *   Status int `json:",omitempty"`; CreateTime string; UseTime string `json:",omitempty"`;
 *   Desc string `json:",omitempty"`
 * @see seeds/000 §出门单接口 get_my_pass_card_list
 */
export function cardJson(c: SimPassCard): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: c.id,
    ShopId: c.shopId,
    OrderId: c.orderId,
    PayRecordId: c.payRecordId,
    UserId: c.userId,
    Code: c.code,
  };
  if (c.status) out.Status = c.status;
  out.CreateTime = c.createTime;
  if (c.useTime) out.UseTime = c.useTime;
  if (c.desc) out.Desc = c.desc;
  return out;
}

/** The back office's view of a record: the seed's JSON plus the sandbox's own fields. */
export function recordAdminView(r: SimPayRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { record: recordJson(r), kind: r.kind, ptype: r.ptype };
  if (r.authCode) out.authCodeMasked = '*'.repeat(Math.max(0, r.authCode.length - 4)) + r.authCode.slice(-4);
  if (r.pollsLeft !== undefined && r.status === 0) out.pollsLeft = r.pollsLeft;
  if (r.failReason) out.failReason = r.failReason;
  return out;
}

/** A Go panic trace where JSON was expected. */
export const GO_GARBAGE = 'runtime error: invalid memory address or nil pointer dereference\ngoroutine 1337 [running]:\nmain.(*OrderController).GetPayRecord(...)\n{"code":';

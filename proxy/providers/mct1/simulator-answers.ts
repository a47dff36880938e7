/**
 * The mct1 sandbox's state types and the answers it sends, in the seed's shapes (snake_case, most
 * values as strings like the examples, JSON encoded the way PHP's json_encode does: non-ASCII as
 * \uXXXX, "/" as "\/"). Pure, and deliberately independent of codec.ts so a symmetric bug cannot hide.
 * SANDBOX ONLY.
 */
import { randomBytes } from 'node:crypto';
import { alnum, digits } from '../sandbox-kit/index.ts';

export interface SimPaylistEntry {
  pmt_name: string;
  pmt_internal_name: string;
  /** "0" 现金 · "1" 刷卡 · "2" 主扫 · "3" 被扫, comma-separated. */
  pmt_type: string;
  pmt_icon: string;
  pmt_ticket_icon: string;
  pmt_tag: string;
  pmt_currency: string;
  pmt_split_refund: string;
  ticket_name: string;
}

export interface SimStore {
  openId: string;
  openKey: string;
  name: string;
  fullName: string;
  shopNo: string;
  /** sha1 of the supervisor password, lower-case hex (the provider keeps no plain password). */
  shopPassSha1: string;
  paylist: SimPaylistEntry[];
  nextShopSerial: number;
  createdAt: string;
}

/** How the order was placed. */
export type SimScene = 'barcode' | 'qr' | 'cash' | 'diy' | 'card' | 'wechat-jsapi' | 'alipay-jsapi' | 'jump';

export interface SimNotifyState {
  /** The status notified (1 or 4). */
  status: 1 | 4;
  /** Epoch ms of the first attempt. */
  since: number;
  attempts: number;
  done: boolean;
  /** The retry window ran out before the merchant answered notify_success. */
  gaveUp?: boolean;
}

export interface SimOrder {
  ordNo: string;
  openId: string;
  outNo: string;
  ordType: 1 | 2;
  status: 1 | 2 | 4 | 9;
  scene: SimScene;
  pmtTag: string;
  pmtName: string;
  diyPmtName: string;
  ordName: string;
  remark: string;
  tag: string;
  originalAmount: number;
  discountAmount: number;
  ignoreAmount: number;
  tradeAmount: number;
  tradeNo: string;
  tradeAccount: string;
  tradeQrcode: string;
  tradeResult: string;
  /** China time. */
  addTime: string;
  addMs: number;
  tradeTime: string;
  tradePayTime: string;
  ordMctId: number;
  ordShopId: number;
  notifyUrl?: string;
  /** paystatus calls left before a password order (status 9) is paid; null: only the back office pays it. */
  pollsLeft: number | null;
  /** Sandbox only: the payment code (single-use for real codes). */
  authCode?: string;
  originalOrdNo?: string;
  jsapiPayUrl?: string;
  wechat?: { appId: string; timeStamp: string; nonceStr: string; signType: string; package: string; paySign: string };
  notify?: SimNotifyState;
}

export interface SimNotification {
  id: number;
  ordNo: string;
  outNo: string;
  status: 1 | 4;
  attempt: number;
  url: string;
  at: string;
  ok: boolean;
  httpStatus?: number;
  answer?: string;
  error?: string;
  durationMs: number;
}

export interface SimState {
  version: 1;
  nextOrdMctId: number;
  stores: Record<string, SimStore>;
  orders: Record<string, SimOrder>;
  /** `${openId} ${outNo}` → ordNo (sales and refunds share the store's out_no space). */
  outNos: Record<string, string>;
  /** real (non-sandbox) payment code → ordNo: a wallet code pays once. */
  authCodes: Record<string, string>;
  notifications: SimNotification[];
  nextNotificationId: number;
  /** Discrepancies planted in the books by the back office (absent in state files that never had any). */
  books?: SimBooks;
}

/**
 * What the provider's books (the order list and order/view) report differently from its payments
 * (payorder, paystatus, payrefund), planted by POST /_admin/discrepancies. Keyed by ord_no.
 */
export interface SimBooks {
  /** Sales missing from the books, with their refunds. */
  dropped: string[];
  /** Sales booked just past the next China midnight (add_time, trade_time, trade_pay_time moved). */
  nextDay: string[];
  /** ord_no → fen added to the sale's amount in the books. */
  amountOff: Record<string, number>;
  /** Orders only the books have: sales we never made (extra) and refunds we never recorded. */
  orders: Record<string, SimOrder>;
}

/** The tags of the default sandbox store: the seed's "Alipay"/"Weixin" (payorder examples) and "Cash". */
export function defaultPaylist(): SimPaylistEntry[] {
  const entry = (name: string, internal: string, type: string, tag: string, icon: string, ticket: string): SimPaylistEntry => ({
    pmt_name: name,
    pmt_internal_name: internal,
    pmt_type: type,
    pmt_icon: `/Public/images/${icon}`,
    pmt_ticket_icon: `/Public/images/ticket/${icon}`,
    pmt_tag: tag,
    pmt_currency: 'CNY',
    pmt_split_refund: '1',
    ticket_name: ticket,
  });
  return [
    entry('支付宝', '支付宝当面付', '2,3', 'Alipay', 'Alipay.jpg', '支付宝签购单'),
    entry('微信', '微信支付', '2,3', 'Weixin', 'Weixin.jpg', '微信签购单'),
    entry('现金', '现金', '0', 'Cash', 'Cash.png', '现金签购单'),
  ];
}

/** A paylist entry from the back office's shorthand {pmt_tag, pmt_name, pmt_type}. */
export function paylistEntry(e: { pmt_tag: string; pmt_name?: string; pmt_type?: string }): SimPaylistEntry {
  return {
    pmt_name: e.pmt_name ?? e.pmt_tag,
    pmt_internal_name: e.pmt_name ?? e.pmt_tag,
    pmt_type: e.pmt_type ?? '2,3',
    pmt_icon: `/Public/images/${e.pmt_tag}.jpg`,
    pmt_ticket_icon: `/Public/images/ticket/${e.pmt_tag}.jpg`,
    pmt_tag: e.pmt_tag,
    pmt_currency: 'CNY',
    pmt_split_refund: '1',
    ticket_name: `${e.pmt_name ?? e.pmt_tag}签购单`,
  };
}

export function typesOf(e: SimPaylistEntry): Set<string> {
  return new Set(e.pmt_type.split(',').map((t) => t.trim()));
}

// --- encoding -----------------------------------------------------------------------------------

/** JSON the way PHP's json_encode writes it by default: "\u6210\u529f", "weixin:\/\/wxpay". */
export function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** China time "YYYY-MM-DD HH:MM:SS" of an epoch ms. */
export function cst(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch ms of a China time "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD"; NaN when malformed (PHP strtotime → false). */
export function cstMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`);
}

export function hexUpper(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

/** "9" + Unix seconds + 14 digits = 25 characters, like the seed's 9149870539009977236294766. */
export function newOrdNo(ms: number): string {
  return `9${Math.floor(ms / 1000)}${digits(14)}`;
}

export type Wallet = 'wechat' | 'alipay' | 'other';

export function walletOf(tag: string): Wallet {
  return tag.startsWith('Weixin') ? 'wechat' : tag.startsWith('Alipay') ? 'alipay' : 'other';
}

/** The wallet's transaction number once paid, like the seed's examples. */
export function walletTradeNo(wallet: Wallet, ms: number): string {
  const ymd = cst(ms).slice(0, 10).replace(/-/g, '');
  if (wallet === 'wechat') return `4200000${digits(3)}${ymd}${digits(10)}`; // 28, like 4003722001201706297935421355
  if (wallet === 'alipay') return `${ymd}2100100${digits(13)}`; // 28, like 2015103021001004950010956927
  return `${ymd}${digits(12)}`;
}

/** The channel's raw answer for a paid order (trimmed to the fields a reader looks at). */
export function paidTradeResult(o: SimOrder, wallet: Wallet, ms: number): string {
  const compact = cst(ms).replace(/[- :]/g, '');
  if (wallet === 'wechat') {
    return phpJson({
      return_code: 'SUCCESS',
      return_msg: 'OK',
      result_code: 'SUCCESS',
      trade_type: o.scene === 'barcode' ? 'MICROPAY' : o.scene === 'qr' ? 'NATIVE' : 'JSAPI',
      bank_type: 'CFT',
      total_fee: String(o.tradeAmount),
      fee_type: 'CNY',
      transaction_id: o.tradeNo,
      out_trade_no: o.ordNo,
      openid: `o01mvsy${alnum(20)}`,
      time_end: compact,
      cash_fee: String(o.tradeAmount),
    });
  }
  if (wallet === 'alipay') {
    return phpJson({
      alipay_trade_pay_response: {
        code: '10000',
        msg: 'Success',
        buyer_logon_id: o.tradeAccount,
        buyer_user_id: `2088${digits(12)}`,
        out_trade_no: o.ordNo,
        total_amount: yuan(o.tradeAmount),
        trade_no: o.tradeNo,
        gmt_payment: cst(ms),
      },
    });
  }
  return '';
}

/** Fen → "0.01" (the wallets' own raw answers speak yuan). */
export function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

// --- answers ------------------------------------------------------------------------------------

function s(v: number | string | undefined | null): string | null {
  return v === undefined || v === null || v === '' ? null : String(v);
}

/** The payorder answer's data. @see seeds/004 §4.4.1.4, §4.4.2.4, §4.4.3.4 返回示例 */
export function payorderData(o: SimOrder): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ord_no: o.ordNo,
    ord_mct_id: String(o.ordMctId),
    ord_shop_id: String(o.ordShopId),
    ord_currency: 'CNY',
    currency_sign: '¥',
    pmt_tag: o.pmtTag,
    pmt_name: o.pmtName,
    trade_no: o.tradeNo,
    trade_amount: String(o.tradeAmount),
    trade_qrcode: s(o.tradeQrcode),
    trade_account: s(o.tradeAccount),
    trade_result: o.tradeResult,
    trade_pay_time: s(o.tradePayTime),
    trade_discout_amount: '0',
    status: String(o.status),
    out_no: o.outNo,
  };
  if (o.scene === 'jump' || o.scene === 'wechat-jsapi' || o.scene === 'alipay-jsapi') out.jsapi_pay_url = o.jsapiPayUrl ?? '';
  if (o.wechat) {
    // As printed in §4.4.3.4: leading spaces in appId, nonceStr, signType, package and paySign.
    out.appId = ` ${o.wechat.appId}`;
    out.timeStamp = o.wechat.timeStamp;
    out.nonceStr = ` ${o.wechat.nonceStr}`;
    out.signType = ` ${o.wechat.signType}`;
    out.package = ` ${o.wechat.package}`;
    out.paySign = ` ${o.wechat.paySign}`;
  }
  return out;
}

/** The paystatus answer's data (the table's fields). @see seeds/004 §4.5.2 返回参数, §4.5.4 返回示例 */
export function paystatusData(o: SimOrder): Record<string, unknown> {
  return {
    ord_shop_id: String(o.ordShopId),
    ord_mct_id: String(o.ordMctId),
    ord_no: o.ordNo,
    ord_type: String(o.ordType),
    ord_name: o.ordName,
    add_time: o.addTime,
    pmt_tag: o.pmtTag,
    pmt_name: o.pmtName,
    original_amount: String(o.originalAmount),
    discount_amount: String(o.discountAmount),
    ignore_amount: String(o.ignoreAmount),
    trade_no: o.tradeNo,
    trade_amount: String(o.tradeAmount),
    trade_account: s(o.tradeAccount),
    trade_qrcode: s(o.tradeQrcode),
    trade_pay_time: s(o.tradePayTime),
    trade_result: o.tradeResult,
    status: String(o.status),
    out_no: o.outNo,
  };
}

/** order/view's data. @see seeds/004 §4.3.2 返回参数, §4.3.4 返回示例 */
export function viewData(o: SimOrder, store: SimStore): Record<string, unknown> {
  return {
    pmt_tag: o.pmtTag,
    pmt_name: o.pmtName,
    tml_no: '1',
    scr_true_name: '沙箱收银员',
    scr_user_name: '001',
    ord_mct_id: String(o.ordMctId),
    ord_shop_id: String(o.ordShopId),
    ord_no: o.ordNo,
    out_no: o.outNo,
    ord_type: String(o.ordType),
    ord_name: o.ordName,
    add_time: o.addTime,
    trade_account: s(o.tradeAccount),
    trade_amount: String(o.tradeAmount),
    trade_time: s(o.tradeTime),
    trade_no: o.tradeNo,
    trade_qrcode: s(o.tradeQrcode),
    trade_pay_time: s(o.tradePayTime),
    remark: o.remark,
    status: String(o.status),
    original_amount: String(o.originalAmount),
    discount_amount: String(o.discountAmount),
    ignore_amount: String(o.ignoreAmount),
    diy_pmt_name: o.diyPmtName,
    shop_name: store.name,
    original_ord_no: o.originalOrdNo ?? null,
    trade_result: o.tradeResult,
  };
}

/** One item of the order list. @see seeds/004 §4.2.2 返回参数 (data->list), §4.2.4 返回示例 */
export function listItem(o: SimOrder, store: SimStore): Record<string, unknown> {
  return {
    pmt_tag: o.pmtTag,
    pmt_name: o.pmtName,
    ord_name: o.ordName,
    ord_id: String(o.ordMctId),
    ord_no: o.ordNo,
    out_no: o.outNo,
    ord_type: String(o.ordType),
    add_time: o.addTime,
    trade_account: s(o.tradeAccount),
    trade_amount: String(o.tradeAmount),
    trade_time: s(o.tradeTime),
    trade_no: o.tradeNo,
    trade_qrcode: s(o.tradeQrcode),
    trade_pay_time: s(o.tradePayTime),
    remark: o.remark,
    status: String(o.status),
    original_amount: String(o.originalAmount),
    discount_amount: String(o.discountAmount),
    ignore_amount: String(o.ignoreAmount),
    trade_discout_amount: '0',
    diy_pmt_name: o.diyPmtName,
    ord_mct_id: String(o.ordMctId),
    ord_shop_id: String(o.ordShopId),
    currency: 'CNY',
    currency_sign: '¥',
    scr_id: '1',
    scr_true_name: '沙箱收银员',
    tml_no: '1',
    shop_no: store.shopNo,
    shop_name: store.name,
    shop_full_name: store.fullName,
    qrc_id: '',
    trade_result: o.tradeResult,
  };
}

/** payrefund's data. @see seeds/004 §4.7.2 返回参数, §4.7.4 返回示例 */
export function refundData(r: SimOrder): Record<string, unknown> {
  return {
    ord_no: r.ordNo,
    ord_shop_id: String(r.ordShopId),
    ord_mct_id: String(r.ordMctId),
    trade_amount: String(r.tradeAmount),
    trade_discout_amount: '0',
    ord_currency: 'CNY',
    currency_sign: '¥',
    trade_time: r.tradeTime,
    original_ord_no: r.originalOrdNo ?? null,
    status: String(r.status),
  };
}

/** The back office's view of an order (JSON, camelCase, payment code masked). */
export function orderView(o: SimOrder): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ordNo: o.ordNo,
    outNo: o.outNo,
    openId: o.openId,
    ordType: o.ordType,
    status: o.status,
    scene: o.scene,
    pmtTag: o.pmtTag,
    pmtName: o.pmtName,
    amountFen: o.tradeAmount,
    tradeNo: o.tradeNo || undefined,
    addTime: o.addTime,
    tradePayTime: o.tradePayTime || undefined,
    qrCode: o.tradeQrcode || undefined,
    notifyUrl: o.notifyUrl,
    notify: o.notify,
    originalOrdNo: o.originalOrdNo,
  };
  if (o.authCode) out.authCodeMasked = '*'.repeat(Math.max(0, o.authCode.length - 4)) + o.authCode.slice(-4);
  if (o.pollsLeft !== null && o.status === 9) out.pollsLeft = o.pollsLeft;
  return out;
}

/** A PHP warning where JSON was expected. */
export const PHP_GARBAGE =
  '<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in <b>/data/www/mct1/Application/Common/Common/function.php</b> on line <b>42</b><br />\n{"errcode":';

/**
 * mct1 error codes (seeds/004 §5) → a stable machine code, a sentence a cashier or manager can act
 * on (zh-CN first, English after " / "), and a `ProviderErrorKind` callers branch on.
 * Messages never contain a secret (open_key, supervisor password or its SHA-1).
 *
 * The errors this adapter returns are `ProviderError`s with one extra field, `code` (e.g.
 * "mct1_store_not_found"), so the route layer or a log can tell them apart without parsing text.
 */
import type { ProviderError, ProviderErrorKind } from '../types.ts';

export interface Mct1Error extends ProviderError {
  /** Stable machine code, "mct1_…". */
  code: string;
}

export interface Mct1ErrcodeInfo {
  code: string;
  /** null: not an error (0), or handled by the client before it becomes one (9: resync and retry once). */
  kind: ProviderErrorKind | null;
  /** zh-CN first, then English. `{msg}` is replaced by the provider's own message. */
  message: string;
  /** The seed's own wording (错误说明). */
  seed: string;
}

/**
 * Every errcode of the seed's table. 8011 and 8013 appear there more than once (with different
 * wording for different causes): one entry each, the provider's `msg` tells the cause.
 * @see seeds/004 §5.1 接口返回的errcode说明
 */
export const MCT1_ERRCODES: Record<string, Mct1ErrcodeInfo> = {
  '0': { code: 'mct1_ok', kind: null, seed: 'ok,没有错误', message: '成功 / ok' },
  '3002': {
    code: 'mct1_store_not_found',
    kind: 'config',
    seed: '门店不存在',
    message: '支付平台找不到该门店：请检查 open_id、接口地址（测试/生产），并确认商户、门店、合同均已审核通过 / store not found: check the open_id and the API address',
  },
  '5': {
    code: 'mct1_sign_refused',
    kind: 'sign',
    seed: '验证签名错误',
    message: '支付平台验证签名失败，请求未执行：请检查 open_key 配置 / the provider refused our signature (nothing was done): check the open_key',
  },
  '8': {
    code: 'mct1_open_id_missing',
    kind: 'config',
    seed: 'token不能为空',
    message: '支付平台未收到 open_id：请检查 open_id 配置和接口地址 / the provider got no open_id: check the configuration and the API address',
  },
  '8001': { code: 'mct1_order_no_missing', kind: 'params', seed: '订单号不能为空', message: '订单号不能为空 / order number missing' },
  '8002': { code: 'mct1_order_not_found', kind: 'not_found', seed: '订单不存在', message: '支付平台没有这笔订单 / no such order at the provider' },
  '8003': { code: 'mct1_order_name_missing', kind: 'params', seed: '订单名称不能为空', message: '订单名称不能为空 / order name missing' },
  '8004': { code: 'mct1_method_missing', kind: 'params', seed: '付款方式不能为空', message: '付款方式不能为空 / payment method missing' },
  '8005': {
    code: 'mct1_order_exists',
    kind: 'duplicate',
    seed: '订单号已经存在，请勿重复提交',
    message: '该订单号已提交过，正在查询它的支付结果，请勿重复收款 / this order number exists already: querying it, do not charge again',
  },
  '8006': { code: 'mct1_amount_invalid', kind: 'params', seed: '收款金额有误', message: '收款金额有误 / invalid amount' },
  '8007': {
    code: 'mct1_method_not_enabled',
    kind: 'config',
    seed: '付款方式未开通',
    message: '该付款方式未在支付平台开通：请重新读取支付方式，或联系服务商开通 / this payment method is not enabled for the store',
  },
  '8008': {
    code: 'mct1_order_create_failed',
    kind: 'declined',
    seed: '创建订单失败',
    message: '支付平台创建订单失败，未扣款，请重试 / the provider could not create the order; nothing was charged',
  },
  '8009': { code: 'mct1_trade_no_missing', kind: 'params', seed: '交易号不能为空', message: '交易号不能为空 / trade number missing' },
  '8010': { code: 'mct1_card_no_missing', kind: 'params', seed: '银行卡号不能为空', message: '银行卡号不能为空 / card number missing' },
  '8011': {
    code: 'mct1_payment_failed',
    kind: 'declined',
    seed: '支付失败（msg返回支付通道原始失败原因）',
    message: '支付失败：{msg} / payment failed',
  },
  '8012': {
    code: 'mct1_cancel_not_allowed',
    kind: 'declined',
    seed: '当前订单不能取消，如果已经付款，请使用退款功能',
    message: '订单不能取消（可能已付款或已取消），正在查询订单状态；已付款的请走退款 / cannot cancel (paid or already cancelled): checking its state',
  },
  '8013': {
    code: 'mct1_cancel_failed',
    kind: 'declined',
    seed: '订单取消失败',
    message: '订单取消失败：{msg}，正在查询订单状态 / cancel failed: checking its state',
  },
  '8014': { code: 'mct1_original_order_missing', kind: 'params', seed: '原始付款单号不能为空', message: '原始付款单号不能为空 / original order number missing' },
  '8015': { code: 'mct1_refund_amount_missing', kind: 'params', seed: '退款金额不能为空', message: '退款金额不能为空 / refund amount missing' },
  '8016': {
    code: 'mct1_supervisor_password_missing',
    kind: 'params',
    seed: '主管密码不能为空',
    message: '退款需要主管密码：请店长输入主管密码 / a supervisor password is required for refunds',
  },
  '8017': {
    code: 'mct1_supervisor_password_wrong',
    kind: 'declined',
    seed: '主管密码错误',
    message: '主管密码错误，未退款：请店长重新输入主管密码 / wrong supervisor password, nothing refunded: please re-type it',
  },
  '8018': { code: 'mct1_original_order_not_found', kind: 'not_found', seed: '原始订单不存在', message: '支付平台没有这笔原始订单 / original order not found' },
  '8019': {
    code: 'mct1_refund_not_allowed',
    kind: 'declined',
    seed: '当前订单不允许退款，状态异常',
    message: '该订单当前状态不能退款（只有支付成功的订单可以退款） / this order cannot be refunded in its current state',
  },
  '8020': {
    code: 'mct1_refund_no_exists',
    kind: 'duplicate',
    seed: '退款单号已经存在，请勿重复提交',
    message: '该退款单号已提交过，正在查询它的结果，请勿重复退款 / this refund number exists already: querying it, do not refund again',
  },
  '8021': {
    code: 'mct1_refund_exceeds_remaining',
    kind: 'declined',
    seed: '退款金额大于支付金额，当前订单有其它退款记录',
    message: '退款金额超过剩余可退金额（该订单已有其他退款） / refund exceeds what is left after earlier refunds',
  },
  '8022': { code: 'mct1_refund_exceeds_paid', kind: 'declined', seed: '退款金额大于支付金额', message: '退款金额大于支付金额 / refund exceeds the amount paid' },
  '8023': { code: 'mct1_refund_failed', kind: 'declined', seed: '退款失败', message: '退款失败：{msg} / refund failed' },
  '8040': {
    code: 'mct1_refund_exceeds_daily_total',
    kind: 'declined',
    seed: '当前退款金额大于商户今日交易总额',
    message: '退款金额大于本店今日该支付通道的收款总额，暂时无法退款：请稍后再试或联系服务商 / refund exceeds today\'s takings on this channel',
  },
  '8044': {
    code: 'mct1_out_no_missing',
    kind: 'params',
    seed: 'out_no不能为空',
    message: '流水号 out_no 为空，或支付平台无法解密请求（请检查 open_key 是否为 32 位） / out_no missing, or the provider could not decrypt the request',
  },
  '8045': {
    code: 'mct1_out_no_exists',
    kind: 'duplicate',
    seed: 'out_no已经存在，请勿重复发起支付',
    message: '该流水号已发起过支付，正在查询它的支付结果，请勿重复收款 / this out_no was submitted already: querying it, do not charge again',
  },
  '8046': {
    code: 'mct1_trade_refused',
    kind: 'declined',
    seed: '交易已被系统拒绝，请联系您的服务商',
    message: '交易被支付平台拒绝：{msg}，请联系服务商 / the provider refused the transaction',
  },
  '9': {
    code: 'mct1_timestamp_refused',
    kind: 'config',
    seed: 'timestamp error',
    message: '时间戳被拒绝：本机与支付平台时钟相差超过 600 秒，请校准系统时间 / timestamp refused: the clocks differ by more than 600 s',
  },
};

export function providerError(
  kind: ProviderErrorKind,
  code: string,
  message: string,
  provider?: { code?: string; message?: string },
): Mct1Error {
  return provider ? { kind, code, message, provider } : { kind, code, message };
}

export function fail(
  kind: ProviderErrorKind,
  code: string,
  message: string,
  provider?: { code?: string; message?: string },
): { ok: false; error: Mct1Error } {
  return { ok: false, error: providerError(kind, code, message, provider) };
}

/**
 * The error for an errcode other than 0, keeping the provider's code and msg. An errcode the seed
 * does not list is a `response` error: we cannot tell what happened.
 * @see seeds/004 §5.1 接口返回的errcode说明
 */
export function errcodeError(errcode: string, msg: string | undefined): Mct1Error {
  const provider = msg ? { code: errcode, message: msg } : { code: errcode };
  const info = MCT1_ERRCODES[errcode];
  if (!info || !info.kind) {
    return providerError('response', 'mct1_unknown_errcode', `支付平台返回未知错误码 ${errcode}：${msg ?? ''} / unknown error code`, provider);
  }
  const reason = msg?.trim() || info.seed;
  return providerError(info.kind, info.code, info.message.replace('{msg}', reason), provider);
}

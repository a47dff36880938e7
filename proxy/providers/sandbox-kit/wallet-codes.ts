/**
 * The sandboxes' payment codes: 18 digits, "13" (微信) or "28" (支付宝), 15 zeros, then a digit N
 * that selects the behaviour. N = 1–7 mean the same in every sandbox (each simulator's header has
 * the table, in its protocol's terms); mct1 adds 8.
 */
export const SANDBOX_WALLET_CODES = {
  wechat: {
    paid: '130000000000000001',
    password: '130000000000000002',
    declined: '130000000000000003',
    answerLost: '130000000000000004',
    hang: '130000000000000005',
    passwordForever: '130000000000000006',
    garbage: '130000000000000007',
  },
  alipay: {
    paid: '280000000000000001',
    password: '280000000000000002',
    declined: '280000000000000003',
    answerLost: '280000000000000004',
    hang: '280000000000000005',
    passwordForever: '280000000000000006',
    garbage: '280000000000000007',
  },
} as const;

/** Random ids and tokens for sandbox answers (trade numbers, nonces, codes): not secrets. */
import { randomInt } from 'node:crypto';

/** `n` random decimal digits. */
export function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

/** `n` random letters and digits. */
export function alnum(n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < n; i++) out += abc[randomInt(abc.length)];
  return out;
}

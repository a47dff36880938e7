/**
 * What a broken server sends instead of the provider's answer: the nginx error page of the gateway
 * in front of it, or the answer cut short.
 */
import type { Context } from 'hono';

const GATEWAY_TEXT = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' } as const;

/** An nginx 502/503/504 page, byte for byte. */
export function gatewayHtml(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** The gateway's page as the answer, with its status. */
export function gatewayPage(c: Context, status: keyof typeof GATEWAY_TEXT): Response | Promise<Response> {
  return c.html(gatewayHtml(status, GATEWAY_TEXT[status]), status);
}

/** The first half of an answer (at least one character): the "bad body" faults. */
export function cutInHalf(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

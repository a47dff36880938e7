import { describe, expect, it } from 'vitest';
import { SseParser } from '../../web/data/events.ts';

describe('SseParser', () => {
  const stream = 'event: hello\ndata: {"terminalId":"T1"}\n\n: ping\n\nevent: payment\nid: P1:paid\ndata: {"outNo":"P1",\ndata: "status":"paid"}\n\n';

  it('parses events, multi-line data, ids and comments', () => {
    const p = new SseParser();
    expect(p.push(stream)).toEqual([
      { event: 'hello', data: '{"terminalId":"T1"}', id: undefined },
      { event: 'payment', data: '{"outNo":"P1",\n"status":"paid"}', id: 'P1:paid' },
    ]);
    expect(p.lastEventId).toBe('P1:paid');
  });

  it('gives the same events whatever the chunk boundaries, with CRLF too', () => {
    const crlf = stream.replace(/\n/g, '\r\n');
    for (const text of [stream, crlf]) {
      for (const size of [1, 2, 3, 7, 64]) {
        const p = new SseParser();
        const got = [];
        for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
        expect(got.map((m) => m.event)).toEqual(['hello', 'payment']);
        expect(JSON.parse(got[1].data)).toEqual({ outNo: 'P1', status: 'paid' });
      }
    }
  });

  it('defaults the event name to message and reads retry', () => {
    const p = new SseParser();
    expect(p.push('retry: 5000\ndata:x\n\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
    expect(p.retryMs).toBe(5000);
  });
});

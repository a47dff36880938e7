/**
 * The back office's fault routes, the same in every sandbox:
 *   GET /faults → {sandbox, faults} · DELETE /faults → the empty queue ·
 *   POST /faults {op, fault, count?, …} → 201 with the queue; 400 with a usage line when invalid.
 */
import type { Hono } from 'hono';
import type { FaultQueue } from './fault-queue.ts';
import { isJsonObject } from './json-body.ts';

/** A fault kind that answers a refusal code of the tester's choosing, and how its fields are named. */
export interface CodedFault<Kind extends string, Extra extends object> {
  kind: Kind;
  /** The code's field, in the POST body and in the queue: kioskv5 `code`, mct1 and posmini `errcode`. */
  codeField: keyof Extra & string;
  /** The optional text's field: `msg` or `errmsg`. A non-string one is refused, whatever the fault. */
  textField: keyof Extra & string;
  /** kioskv5 refuses code 0 (its success code); mct1 and posmini take any integer. */
  zeroAllowed: boolean;
  /** Appended to the usage line of a 400. */
  usage: string;
}

export interface FaultRoutes<Op extends string, Kind extends string, Extra extends object> {
  ops: readonly Op[];
  kinds: readonly Kind[];
  /**
   * A POST body that is not JSON: 'refuse' answers 400 "JSON body expected" (weishouyin, mct1,
   * posmini); 'as-empty' reads it, or any JSON that is not an object, as {} (kioskv5), which then
   * fails validation with the usage line.
   */
  unreadableBody: 'refuse' | 'as-empty';
  coded?: CodedFault<Kind, Extra>;
}

export function addFaultRoutes<Op extends string, Kind extends string, Extra extends object>(
  admin: Hono,
  faults: FaultQueue<Op, Kind, Extra>,
  spec: FaultRoutes<Op, Kind, Extra>,
): void {
  const usage = `op ∈ ${spec.ops.join('|')}, fault ∈ ${spec.kinds.join('|')}, count ≥ 1${spec.coded ? `, ${spec.coded.usage}` : ''}`;

  admin.get('/faults', (c) => c.json({ sandbox: true, faults: faults.list() }));
  admin.delete('/faults', (c) => {
    faults.clear();
    return c.json({ sandbox: true, faults: faults.list() });
  });
  admin.post('/faults', async (c) => {
    let body: Record<string, unknown>;
    try {
      body = await c.req.json();
    } catch {
      if (spec.unreadableBody === 'refuse') return c.json({ sandbox: true, error: 'JSON body expected' }, 400);
      body = {};
    }
    // JSON that is not an object (`null`, `[]`, `3`): refused, or read as {} — never a 500.
    if (!isJsonObject(body)) {
      if (spec.unreadableBody === 'refuse') return c.json({ sandbox: true, error: `JSON object expected: ${usage}` }, 400);
      body = {};
    }
    const op = body.op as Op;
    const fault = body.fault as Kind;
    const count = body.count === undefined ? 1 : Number(body.count);
    const coded = spec.coded;
    const code = coded && body[coded.codeField] !== undefined ? Number(body[coded.codeField]) : undefined;
    if (
      !spec.ops.includes(op) ||
      !spec.kinds.includes(fault) ||
      !Number.isSafeInteger(count) ||
      count < 1 ||
      (coded && fault === coded.kind && (code === undefined || !Number.isSafeInteger(code) || (!coded.zeroAllowed && code === 0))) ||
      (coded && body[coded.textField] !== undefined && typeof body[coded.textField] !== 'string')
    ) {
      return c.json({ sandbox: true, error: usage }, 400);
    }
    const extra: Record<string, unknown> = {};
    if (coded && fault === coded.kind) {
      extra[coded.codeField] = code;
      if (typeof body[coded.textField] === 'string') extra[coded.textField] = body[coded.textField];
    }
    faults.add(op, fault, count, extra as Partial<Extra>);
    return c.json({ sandbox: true, faults: faults.list() }, 201);
  });
}

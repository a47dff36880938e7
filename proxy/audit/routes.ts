/**
 * `GET /api/audit` (manager): the audit log, newest first, paged and filtered. Read-only: there is no
 * route that changes or deletes a row.
 */
import { Hono } from 'hono';
import { requireRole, type AuthEnv } from '../auth/terminals.ts';
import { queryReader } from '../http/query.ts';
import { AUDIT_ACTIONS, type AuditLog } from './log.ts';

export function auditRoutes(audit: AuditLog) {
  const app = new Hono<AuthEnv>();
  app.use('/audit', requireRole('manager'));

  /** `?action=a,b&terminal=&subject=&from=&to=&page=&pageSize=`: from/to an ISO 8601 instant with its offset or a China day YYYY-MM-DD. */
  app.get('/audit', (c) => {
    const q = c.req.query();
    const { bad, instant, int } = queryReader(q);
    const actions = q.action ? q.action.split(',') : undefined;
    if (actions && !actions.every((a) => (AUDIT_ACTIONS as readonly string[]).includes(a))) {
      throw bad('action', `应为 ${AUDIT_ACTIONS.join('、')} 之一（可用逗号分隔多个）`, `expected one or more of ${AUDIT_ACTIONS.join(', ')}, comma-separated`);
    }
    const terminalId = q.terminal || undefined;
    if (terminalId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(terminalId)) throw bad('terminal', '不是终端编号', 'not a terminal id');
    const subject = q.subject || undefined;
    if (subject !== undefined && subject.length > 64) throw bad('subject', '最多 64 个字符', 'at most 64 characters');
    const from = instant('from');
    const to = instant('to');
    if (from && to && from >= to) throw bad('to', 'to 必须晚于 from', 'to must be later than from');
    const page = int('page', 1, 1_000_000);
    const pageSize = int('pageSize', 50, 200);
    const { total, items } = audit.list({ actions, terminalId, subject, from, to, page, pageSize });
    return c.json({ total, page, pageSize, items });
  });

  return app;
}

/** The PostgreSQL adapter's rewriting of the ledger's SQLite-flavoured SQL (no server needed). */
import { describe, expect, it } from 'vitest';
import { translateSql } from '../../proxy/ledger/postgres.ts';

describe('translateSql', () => {
  it('numbers ? placeholders in order', () => {
    expect(translateSql('SELECT * FROM payments WHERE out_no = ? AND status = ?')).toEqual({
      text: 'SELECT * FROM payments WHERE out_no = $1 AND status = $2', names: [], count: 2,
    });
  });

  it('numbers @name placeholders by first appearance and reuses a repeated name', () => {
    const t = translateSql('UPDATE payments SET status = @status, updated_at = @at WHERE out_no = @outNo AND created_at <= @at');
    expect(t.text).toBe('UPDATE payments SET status = $1, updated_at = $2 WHERE out_no = $3 AND created_at <= $2');
    expect(t.names).toEqual(['status', 'at', 'outNo']);
    expect(t.count).toBe(3);
  });

  it('leaves quoted text, quoted identifiers and comments alone', () => {
    const t = translateSql(`SELECT '?' AS q, 'it''s @x' AS s, "a?b" FROM t -- where x = ?\nWHERE y = ?`);
    expect(t.text).toBe(`SELECT '?' AS q, 'it''s @x' AS s, "a?b" FROM t -- where x = ?\nWHERE y = $1`);
    expect(t.count).toBe(1);
  });

  it('makes LIKE case-insensitive as SQLite has it, and only the keyword', () => {
    expect(translateSql("SELECT 1 FROM p WHERE out_no LIKE @q ESCAPE '\\' AND unlikely = 1 AND x ILIKE @q AND y like 'LIKE'").text).toBe(
      "SELECT 1 FROM p WHERE out_no ILIKE $1 ESCAPE '\\' AND unlikely = 1 AND x ILIKE $1 AND y ILIKE 'LIKE'",
    );
  });

  it('refuses SQL that mixes ? and @name', () => {
    expect(() => translateSql('SELECT ? , @a')).toThrow(/mixes/);
  });
});

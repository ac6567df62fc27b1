import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { SchemaMismatchError, classifyReadError, redactDatabaseSecrets } from '../../src/usage/collector.ts';

describe('redactDatabaseSecrets', () => {
  const url = 'postgresql://reader:s3cr%40t-pw@db.internal:5432/ryla?sslmode=require';

  it('removes the password in raw and %-decoded form, and the credentials of any postgres URL', () => {
    const msg = `failed for ${url}; password was s3cr@t-pw or s3cr%40t-pw; other postgres://x:y@h/db`;
    const out = redactDatabaseSecrets(msg, url);
    expect(out).not.toContain('s3cr');
    expect(out).not.toContain(':y@');
    expect(out).toContain('db.internal:5432/ryla');
    expect(out).toContain('postgres://x:[REDACTED]@h/db');
  });

  it('removes password= pairs and query-string passwords', () => {
    expect(redactDatabaseSecrets('conninfo "host=h password=hunter2 user=u"')).toBe('conninfo "host=h password=[REDACTED] user=u"');
    const q = 'postgresql://h/db?user=u&password=qpw123';
    expect(redactDatabaseSecrets(`bad ${q}`, q)).not.toContain('qpw123');
  });

  it('leaves messages without secrets alone', () => {
    expect(redactDatabaseSecrets('connect ECONNREFUSED 127.0.0.1:5432', url)).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});

function pgError(code: string, message: string): Error {
  const e = new pg.DatabaseError(message, 0, 'error');
  e.code = code;
  return e;
}

describe('classifyReadError', () => {
  it.each([
    [pgError('57014', 'canceling statement due to statement timeout'), 'timeout'],
    [pgError('55P03', 'canceling statement due to lock timeout'), 'timeout'],
    [new Error('Query read timeout'), 'timeout'],
    [pgError('57P01', 'terminating connection due to administrator command'), 'connect'],
    [pgError('28P01', 'password authentication failed for user "u"'), 'connect'],
    [pgError('3D000', 'database "x" does not exist'), 'connect'],
    [pgError('08006', 'connection failure'), 'connect'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'connect'],
    [new Error('Connection terminated unexpectedly'), 'connect'],
    [new SchemaMismatchError('generation_jobs is missing column started_at', ['started_at']), 'schema'],
    [pgError('42703', 'column "started_at" does not exist'), 'schema'],
    [pgError('42P01', 'relation "generation_jobs" does not exist'), 'schema'],
    [pgError('22012', 'division by zero'), 'query'],
    [new Error('something else'), 'query'],
  ] as const)('%s → %s', (err, reason) => {
    expect(classifyReadError(err)).toBe(reason);
  });
});

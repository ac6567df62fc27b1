import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, JOB_TYPES } from './classify.ts';
import { enumTypeSql, generationJobsSchemaSql } from './schema.ts';

describe('the generation_jobs schema', () => {
  it('writes each enum type from its one TypeScript list, before the table that uses it', () => {
    const sql = generationJobsSchemaSql();
    const enumValues = (name: string) => [...sql.match(new RegExp(`CREATE TYPE ${name} AS ENUM \\(([^;]*)\\);`))![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
    expect(enumValues('job_type')).toEqual([...JOB_TYPES]);
    expect(enumValues('job_status')).toEqual([...JOB_STATUSES]);
    expect(sql.indexOf('CREATE TYPE job_status')).toBeLessThan(sql.indexOf('CREATE TABLE generation_jobs'));
    expect(sql.match(/CREATE TYPE/g)).toHaveLength(2);
  });

  it('quotes a value so a quote cannot end the literal, and refuses a name or list SQL would misread', () => {
    expect(enumTypeSql('mood', ["it's", 'ok'])).toBe("CREATE TYPE mood AS ENUM (\n  'it''s',\n  'ok'\n);\n");
    expect(() => enumTypeSql('job type', ['a'])).toThrow(/"job type" is not a plain lower-case SQL identifier/);
    expect(() => enumTypeSql('empty', [])).toThrow(/empty needs at least one value/);
  });
});

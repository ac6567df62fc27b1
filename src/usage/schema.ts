/**
 * The platform's `generation_jobs` schema as the usage tests load it into a throwaway PostgreSQL:
 * the two enum types written from classify.ts's JOB_TYPES and JOB_STATUSES — the one list of each,
 * which the collector also zero-fills its series by and the summary checks rows against — followed
 * by schema.sql's table and indexes. genprobe never runs this against the platform: it only reads.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JOB_STATUSES, JOB_TYPES } from './classify.ts';

const TABLE_SQL = new URL('./schema.sql', import.meta.url);

/** A value as an SQL string literal (the lists are constants, but a quote must not end the literal). */
function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `CREATE TYPE name AS ENUM (…)` for one of the platform's enums, one value a line. */
export function enumTypeSql(name: string, values: readonly string[]): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`enum type name ${JSON.stringify(name)} is not a plain lower-case SQL identifier`);
  if (values.length === 0) throw new Error(`enum type ${name} needs at least one value`);
  return `CREATE TYPE ${name} AS ENUM (\n${values.map((v) => `  ${sqlLiteral(v)}`).join(',\n')}\n);\n`;
}

/** The whole schema: the enum types, then the table that uses them. */
export function generationJobsSchemaSql(): string {
  return [enumTypeSql('job_type', JOB_TYPES), enumTypeSql('job_status', JOB_STATUSES), readFileSync(fileURLToPath(TABLE_SQL), 'utf8')].join('\n');
}

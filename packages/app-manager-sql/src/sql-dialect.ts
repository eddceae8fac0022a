// What differs between the SQL databases the applications table lives in: how names are quoted, how
// parameters are written, and how each kind of column is spelled in DDL.

/** The kinds of column in Rust Sockudo's applications table; a dialect spells each one in DDL. */
export type ApplicationColumnKind =
  /** A limit the first Rust Sockudo schema already required: an integer, NOT NULL, no default. */
  | 'requiredCount'
  /** An optional limit: a nullable integer. */
  | 'count'
  /** A switch, NOT NULL DEFAULT FALSE. */
  | 'switchOff'
  /** A switch, NOT NULL DEFAULT TRUE. */
  | 'switchOn'
  /** An optional switch: a nullable boolean. */
  | 'switch'
  /** Nullable JSON. */
  | 'json'
  /** A timestamp set on insert. */
  | 'createdAt'
  /** A timestamp set on insert and (where the database can) on update. */
  | 'updatedAt';

/**
 * One SQL database's spelling of the applications table and its statements. `@sockudo/app-manager-mysql`
 * and `@sockudo/app-manager-postgres` each define one; another SQL app manager can too.
 */
export interface SqlDialect {
  /** The database's name in error messages, e.g. `'MySQL'`. */
  readonly name: string;
  /** The longest table name it takes. */
  readonly maxTableNameLength: number;
  /** `identifier` (a table or column name already checked to be a plain identifier) quoted. */
  quote(identifier: string): string;
  /** The placeholder for the parameter at `index` (0-based). */
  placeholder(index: number): string;
  /** The DDL type and constraints of each kind of column. */
  readonly columnTypes: Readonly<Record<ApplicationColumnKind, string>>;
  /** Text after `CREATE TABLE (...)`, e.g. MySQL's engine and charset. @default '' */
  readonly tableOptions?: string;
  /** An extra `SET` assignment for every UPDATE, for a database without `ON UPDATE CURRENT_TIMESTAMP`. */
  readonly touchOnUpdate?: string;
}

/**
 * Values of rows read with plain SQL (hot paths that skip entity hydration), converted the way the
 * ORM converts them on both platforms.
 */

const SQL_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * A DATETIME column: a Date as is; from MariaDB a zone-less `YYYY-MM-DD hh:mm:ss.fff` string (the
 * ORM's connections use `dateStrings`), which is UTC since the ORM runs with forceUtcTimezone; from
 * SQLite what MikroORM stores there, epoch milliseconds.
 */
export function dateFromColumn(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') return new Date(SQL_DATETIME.test(value) ? `${value.replace(' ', 'T')}Z` : value);
  throw new TypeError(`not a datetime column value: ${String(value)}`);
}

/** A nullable DATETIME column. */
export function optionalDateFromColumn(value: unknown): Date | null {
  return value === null || value === undefined ? null : dateFromColumn(value);
}

/** A nullable column read as a number (drivers may return strings or bigints for integers). */
export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A nullable column read as a string. */
export function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

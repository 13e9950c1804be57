/**
 * Server timestamps arrive as PostgREST JSON (`2026-11-22T01:53:00.123456+00:00`), as `to_jsonb` text from
 * Broadcast from Database, or in Postgres text form (`2026-11-22 01:53:00.1+00`). `Date.parse` keeps only
 * milliseconds, but PostgreSQL orders by microseconds, so ordering keys keep all six digits.
 */
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?$/i;

/**
 * Microseconds since the epoch, or `NaN` when `value` is not a timestamp. Built with `Date.UTC`
 * rather than `Date.parse`: a 10,000-message history parses every timestamp, and this is several
 * times faster.
 */
export function timestampMicros(value: string): number {
  const match = TIMESTAMP.exec(value);
  if (!match) return Number.NaN;
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHours = '0', offsetMinutes = '0'] =
    match;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) : 0;
  const millis =
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) -
    offset * 60_000;
  return millis * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** Date of a server timestamp (millisecond precision is enough for display). */
export function timestampDate(value: string): Date {
  return new Date(Math.floor(timestampMicros(value) / 1000));
}

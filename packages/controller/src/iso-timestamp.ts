/**
 * The text `Date.prototype.toISOString` gives (`2026-12-05T03:41:07.123Z`), built from the
 * date's UTC fields.
 *
 * Why not `toISOString` itself: V8 (Node 24) works out the local time zone's offset for it,
 * though it prints UTC, and the first time it does so ICU loads the host's time zone, its rules
 * and the code that reads them: ~0.9 MB of RSS (a bare `node` with one `toISOString()` against
 * one `getUTCFullYear()`) in a process that never needs local time. Every log line carries a
 * timestamp, so the logger's was the one that paid it in an idle controller.
 *
 * Years outside 0000-9999 and invalid dates go to `toISOString` (which prints ±YYYYYY or
 * throws a `RangeError`), so the two never differ.
 */
export function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  return (
    `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

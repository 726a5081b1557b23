/**
 * BIRD's "Since" column, read so that an unbroken session is never taken for a reset one.
 *
 * BIRD 2 prints when a protocol last changed state as a local time of day (`21:36:59.635`).
 * It does not store that text: each `show protocols` derives it from the monotonic time of
 * the change and the current offset between its wall and monotonic clocks, read a few
 * microseconds apart. Two readings of one unbroken session can therefore differ by a
 * millisecond (seen: `23:13:49.219`, then `23:13:49.218`), so comparing the text for
 * equality fails now and then. What does hold: a session up when a reading began started
 * before it, and a reset after it moves "Since" past it.
 */

const DAY_MS = 86_400_000;

/** Local time of day in ms, as BIRD prints it. */
export function msOfDay(d: Date): number {
  return ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
}

/** BIRD's `21:36:59.635` or `21:36:59` (local time of day) in ms into the day. */
export function parseBirdSince(text: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (m === null) throw new Error(`BIRD's "Since" ${JSON.stringify(text)} is not a time of day`);
  const fraction = Number((m[4] ?? '0').padEnd(3, '0'));
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + fraction;
}

/**
 * Whether a session whose "Since" now reads `since` has stayed up since a reading that
 * began at `readAt` (ms into the day, {@link msOfDay} taken just before asking BIRD, while
 * the session was up). Times of day compare modulo a day, so a run across midnight works.
 */
export function upSinceBefore(since: string, readAt: number): boolean {
  const age = (((readAt - parseBirdSince(since)) % DAY_MS) + DAY_MS) % DAY_MS;
  return age > 0 && age < DAY_MS / 2;
}

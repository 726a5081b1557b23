/**
 * The one string order the controller sorts by: UTF-16 code units, as `Array#sort()` without a
 * comparator and `<` do. Not `localeCompare`: the desired state must sort the same on every
 * node whatever its locale (`LANG`, Node's ICU build), and collation loads ICU's data into the
 * process (+3 MB of RSS) and is several times slower. An absent value sorts as `''`.
 */
export function compareCodeUnits(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

import { load } from 'js-yaml';
import { parseDocument } from 'yaml';
import { AnyvipError } from '../errors.js';

/**
 * The value of one YAML document (JSON is YAML too), as the `yaml` library reads it with unique
 * keys and at most 100 alias expansions: the reading every anyvip configuration has always had.
 *
 * **Two parsers, one reading.** `yaml` builds a full document model first (every node with its
 * source range), which made it the largest single step of a 10,000-VIP start: 140-170 ms cold
 * on the 10,000-line file in the bundle, 250-285 ms unbundled, against 50-90 ms for js-yaml,
 * which builds the values straight from its parser's events. So js-yaml (YAML 1.2, its core
 * schema, duplicate keys refused) reads a document first, but only one in which the two cannot
 * differ:
 * - no tag (`!`), anchor (`&`), alias (`*`) or directive (`%` at a line's start) anywhere,
 *   quoted or not: `yaml` reads `!!float 1` as the string "1" and js-yaml as 1, and `yaml`
 *   limits alias expansion where js-yaml shares references;
 * - no plain `~`/`null` or empty mapping key: `yaml` makes it the key "" and js-yaml "null";
 * - anything js-yaml refuses (a syntax error, a duplicate key, a complex key, an empty or
 *   multi-document source) goes to `yaml`, which reads it, or words the error, as before.
 *
 * test/config/yaml-text.test.ts holds the two to the same values on every YAML file and
 * fenced YAML block in the repository and on generated configuration-shaped documents.
 *
 * @param source the file name, for messages
 * @throws AnyvipError `ANYVIP_CONFIG_SYNTAX` naming `source:line:col`
 */
export function readYamlText(text: string, source: string): unknown {
  if (!mayDiffer(text)) {
    try {
      return load(text, { maxAliases: 0 });
    } catch {
      // `yaml` reads it, or words the error, as it always has.
    }
  }
  return readWithYaml(text, source);
}

/** The reading of record: the `yaml` library (see {@link readYamlText}). */
export function readWithYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const at = first.linePos?.[0];
    const where = at === undefined ? source : `${source}:${at.line}:${at.col}`;
    throw new AnyvipError('ANYVIP_CONFIG_SYNTAX', `${where}: ${first.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** A tag, anchor, alias or directive character anywhere (a false alarm only costs time). */
const NODE_PROPERTY = /[!&*]|^%/m;
/** A plain null (`~`, `null`, `Null`, `NULL`) or empty key, block or flow. */
const NULL_KEY = /(?:^|[\s{,[?-])(?:~|null|Null|NULL)?[ \t]*:(?:[\s,\]}]|$)/m;

/** Whether the two parsers might read `text` differently (see {@link readYamlText}). */
function mayDiffer(text: string): boolean {
  return NODE_PROPERTY.test(text) || NULL_KEY.test(text);
}

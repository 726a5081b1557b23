import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { AnyvipError } from '../errors.js';
import { type ControllerConfig, parseConfig } from './schema.js';

/**
 * Parses YAML text (JSON is YAML too) and validates it. A syntax error names the line and
 * column; a schema error names the key path. Duplicate keys are errors, as are YAML aliases
 * deeper than the document (the `yaml` library's defaults).
 *
 * @param source the file name, for messages
 * @throws AnyvipError `ANYVIP_CONFIG_SYNTAX`, `ANYVIP_CONFIG_INVALID` or `ANYVIP_VIP_OUTSIDE_POOL`
 */
export function parseConfigText(text: string, source = 'config'): ControllerConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const at = first.linePos?.[0];
    const where = at === undefined ? source : `${source}:${at.line}:${at.col}`;
    throw new AnyvipError('ANYVIP_CONFIG_SYNTAX', `${where}: ${first.message.split('\n')[0]}`);
  }
  return parseConfig(doc.toJS({ maxAliasCount: 100 }));
}

/**
 * Reads and validates a configuration file.
 *
 * @throws AnyvipError `ANYVIP_CONFIG_UNREADABLE`, or any error of {@link parseConfigText}
 */
export async function loadConfigFile(path: string): Promise<ControllerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new AnyvipError('ANYVIP_CONFIG_UNREADABLE', `cannot read ${path}: ${reason}`);
  }
  return parseConfigText(text, path);
}

import { AnyvipError } from '../errors.js';
import { preflight } from './preflight.js';
import { type ControllerConfig, parseConfig } from './schema.js';
import { readYamlText } from './yaml-text.js';

// node:fs's callback API through getBuiltinModule, not node:fs/promises: fs/promises brings
// readline and the REPL history along, ~1.2 MB of RSS in every process.
const readFile = process
  .getBuiltinModule('node:util')
  .promisify(process.getBuiltinModule('node:fs').readFile);

/**
 * Parses YAML text (JSON is YAML too) and validates it. Pure: nothing on the host is read. A syntax error names the line and
 * column; a schema error names the key path. Duplicate keys are errors, as are YAML aliases
 * deeper than the document (the `yaml` library's defaults; see config/yaml-text.ts).
 *
 * @param source the file name, for messages
 * @throws AnyvipError `ANYVIP_CONFIG_SYNTAX`, `ANYVIP_CONFIG_INVALID` or `ANYVIP_VIP_OUTSIDE_POOL`
 */
export function parseConfigText(text: string, source = 'config'): ControllerConfig {
  return parseConfig(readYamlText(text, source));
}

/**
 * Reads and validates a configuration file, and runs the start-up preflight on it (what it
 * needs from this host: config/preflight.ts).
 *
 * @throws AnyvipError `ANYVIP_CONFIG_UNREADABLE`, any error of {@link parseConfigText}, or a
 *   preflight fault (`ANYVIP_TCP_AUTH_UNAVAILABLE`, an unreadable password file)
 */
export async function loadConfigFile(path: string): Promise<ControllerConfig> {
  return preflight(await readConfigFile(path));
}

/** Reads and validates a configuration file without the host preflight (pure past the read). */
export async function readConfigFile(path: string): Promise<ControllerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new AnyvipError('ANYVIP_CONFIG_UNREADABLE', `cannot read ${path}: ${reason}`);
  }
  return parseConfigText(text, path);
}

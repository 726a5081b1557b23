import { HealthError } from '../errors.js';

/** A value of the YAML subset kubeconfig files are written in. */
export type YamlValue =
  | string
  | number
  | boolean
  | null
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  readonly lineNo: number;
}

/**
 * Parses the block-style YAML that `kubectl`, kubeadm and client-go write for kubeconfig files
 * (nested maps, `- ` sequences including the compact form at the parent's indentation, plain,
 * single- and double-quoted scalars, `{}` and `[]`, comments), or JSON. Anchors, block scalars
 * (`|`, `>`), flow collections with content and multiple documents are refused with a message
 * that says so: a health checker should not carry a full YAML parser.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_KUBECONFIG`
 */
export function parseKubeconfigYaml(source: string, path?: string): YamlValue {
  const trimmed = source.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as YamlValue;
    } catch (err) {
      throw new HealthError('ANYVIP_HEALTH_BAD_KUBECONFIG', `invalid JSON: ${(err as Error).message}`, path);
    }
  }
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || text === '---' || text === '...') return;
    const indent = text.length - text.trimStart().length;
    if (text.slice(0, indent).includes('\t')) fail(`tab in indentation at line ${lineNo}`, path);
    lines.push({ indent, text: text.trimStart(), lineNo });
  });
  if (lines.length === 0) return null;
  const parser = new BlockParser(lines, path);
  const first = lines[0];
  const value = parser.node(first?.indent ?? 0);
  parser.expectEnd();
  return value;
}

class BlockParser {
  readonly #lines: Line[];
  readonly #path: string | undefined;
  #i = 0;

  constructor(lines: Line[], path: string | undefined) {
    this.#lines = lines;
    this.#path = path;
  }

  node(indent: number): YamlValue {
    const line = this.#lines[this.#i];
    if (line === undefined) return null;
    return isSequenceItem(line.text) ? this.#sequence(indent) : this.#mapping(indent);
  }

  expectEnd(): void {
    const line = this.#lines[this.#i];
    if (line !== undefined) fail(`unexpected indentation at line ${line.lineNo}`, this.#path);
  }

  #mapping(indent: number): YamlValue {
    const out: Record<string, YamlValue> = {};
    for (;;) {
      const line = this.#lines[this.#i];
      if (line === undefined || line.indent !== indent || isSequenceItem(line.text)) break;
      const { key, rest } = splitKey(line, this.#path);
      this.#i++;
      const next = this.#lines[this.#i];
      if (rest !== '') out[key] = scalar(rest, line.lineNo, this.#path);
      else if (next !== undefined && next.indent > indent) out[key] = this.node(next.indent);
      else if (next !== undefined && next.indent === indent && isSequenceItem(next.text)) {
        out[key] = this.#sequence(indent);
      } else out[key] = null;
    }
    const line = this.#lines[this.#i];
    if (line !== undefined && line.indent > indent) {
      fail(`unexpected indentation at line ${line.lineNo}`, this.#path);
    }
    return out;
  }

  #sequence(indent: number): YamlValue {
    const out: YamlValue[] = [];
    for (;;) {
      const line = this.#lines[this.#i];
      if (line === undefined || line.indent !== indent || !isSequenceItem(line.text)) break;
      const after = line.text.slice(1);
      const content = after.trimStart();
      if (content === '') {
        this.#i++;
        const next = this.#lines[this.#i];
        out.push(next !== undefined && next.indent > indent ? this.node(next.indent) : null);
      } else if (keyEnd(content) !== -1) {
        // `- name: x` opens a mapping whose keys sit where `name` does.
        const itemIndent = indent + 1 + (after.length - content.length);
        line.indent = itemIndent;
        line.text = content;
        out.push(this.#mapping(itemIndent));
      } else if (isSequenceItem(content)) {
        fail(`nested sequences on one line are not supported (line ${line.lineNo})`, this.#path);
      } else {
        this.#i++;
        out.push(scalar(content, line.lineNo, this.#path));
      }
    }
    return out;
  }
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Index of the `:` that ends a key, or -1 when the text is not `key: …`. */
function keyEnd(text: string): number {
  if (text.startsWith('"') || text.startsWith("'")) {
    const close = closingQuote(text);
    if (close === -1) return -1;
    const after = text.slice(close + 1);
    return after === ':' || after.startsWith(': ') ? close + 1 : -1;
  }
  const spaced = text.indexOf(': ');
  if (spaced !== -1) return spaced;
  return text.endsWith(':') ? text.length - 1 : -1;
}

function splitKey(line: Line, path: string | undefined): { key: string; rest: string } {
  const end = keyEnd(line.text);
  if (end === -1) fail(`expected "key: value" at line ${line.lineNo}`, path);
  const rawKey = line.text.slice(0, end).trim();
  const key =
    rawKey.startsWith('"') || rawKey.startsWith("'") ? String(scalar(rawKey, line.lineNo, path)) : rawKey;
  return { key, rest: line.text.slice(end + 1).trim() };
}

function closingQuote(text: string): number {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function scalar(text: string, lineNo: number, path: string | undefined): YamlValue {
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      fail(`unsupported double-quoted string at line ${lineNo}`, path);
    }
  }
  if (text.startsWith("'")) {
    if (closingQuote(text) !== text.length - 1) fail(`unterminated quoted string at line ${lineNo}`, path);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (/^[[{|>&*!%@`]/.test(text)) {
    fail(
      `YAML construct ${JSON.stringify(text.slice(0, 12))} at line ${lineNo} is not supported; write the file as JSON`,
      path,
    );
  }
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  if (text === 'null' || text === '~' || text === 'Null' || text === 'NULL') return null;
  return text;
}

/** Drops a `#` comment that is not inside quotes. */
function stripComment(raw: string): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      const before = raw[i - 1];
      if (i === 0 || before === ' ' || before === ':' || before === '-') quote = c;
    } else if (c === '#' && (i === 0 || raw[i - 1] === ' ' || raw[i - 1] === '\t')) {
      return raw.slice(0, i);
    }
  }
  return raw;
}

function fail(message: string, path: string | undefined): never {
  throw new HealthError('ANYVIP_HEALTH_BAD_KUBECONFIG', message, path);
}

import type { RequestOptions } from 'node:https';
import { type Clock, systemClock } from '@anyvip/clock';
import { badConfig } from '../errors.js';
import { describeAbort, describeError, type Probe, type ProbeResult, snippet } from './probe.js';
import { RotatingFile } from './rotating-file.js';

/** An inclusive range of acceptable HTTP status codes. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** 2xx and 3xx pass, as in HAProxy's `httpchk` (redirects are not followed). */
export const defaultExpectStatus: StatusRange = { min: 200, max: 399 };

/** How much of a body is read for matching and for failure reasons; the rest is discarded. */
export const defaultMaxBodyBytes = 64 * 1024;

/** An HTTP or HTTPS GET probe. */
export interface HttpProbeOptions {
  /** `http://` or `https://`; IPv6 literals in brackets: `http://[::1]:8080/healthz`. */
  readonly url: string;
  /** Defaults to `http <url>`. */
  readonly name?: string;
  /** Defaults to 200-399. */
  readonly expectStatus?: StatusRange;
  /** A substring or a regular expression the body must contain (within `maxBodyBytes`). */
  readonly bodyMatch?: string | RegExp;
  /** Defaults to 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The `Host` header, when the URL names an address but the server routes by name. For HTTPS
   * it also becomes the SNI name and the name the certificate must match, unless `serverName`
   * says otherwise.
   */
  readonly hostHeader?: string;
  /** HTTPS: the SNI name and the name the server certificate must match. */
  readonly serverName?: string;
  /** HTTPS: PEM CA bundle to trust instead of the system store; re-read when it changes. */
  readonly caFile?: string;
  /** HTTPS: accept any certificate. Exclusive with `caFile`. */
  readonly insecureSkipVerify?: boolean;
  /** HTTPS: PEM client certificate (with `clientKeyFile`); re-read when it changes. */
  readonly clientCertFile?: string;
  /** HTTPS: PEM private key of `clientCertFile`; re-read when it changes. */
  readonly clientKeyFile?: string;
  /**
   * A file holding a bearer token, sent as `Authorization: Bearer <token>`. It is re-read
   * whenever it changes on disk, as projected service-account tokens are rotated by kubelet.
   */
  readonly bearerTokenFile?: string;
}

/** TLS settings for one request. */
export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
}

/** Everything one GET needs, with files already read. */
export interface HttpRequestPlan {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: TlsMaterial | undefined;
  readonly expectStatus: StatusRange;
  readonly bodyMatch: string | RegExp | undefined;
  readonly maxBodyBytes: number;
}

/** Parses and checks an http(s) URL. @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` */
export function parseHttpUrl(text: string, path?: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badConfig(`not a URL: ${JSON.stringify(text)}`, path);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badConfig(`URL must be http:// or https://, got ${url.protocol}`, path);
  }
  if (url.username !== '' || url.password !== '') {
    throw badConfig(
      'credentials in the URL are not supported; use bearerTokenFile or a client certificate',
      path,
    );
  }
  return url;
}

/** Checks a status range. @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` */
export function validateStatusRange(range: StatusRange, path?: string): void {
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 100 || max > 599 || min > max) {
    throw badConfig(`status range must be integers with 100 ≤ min ≤ max ≤ 599, got ${min}-${max}`, path);
  }
}

/**
 * Builds an HTTP(S) GET probe. Every run opens a new connection (no keep-alive), so a dead
 * listener is noticed even while old connections would still work.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` on inconsistent options
 */
export function createHttpProbe(options: HttpProbeOptions, clock: Clock = systemClock): Probe {
  const url = parseHttpUrl(options.url, 'url');
  const expectStatus = options.expectStatus ?? defaultExpectStatus;
  validateStatusRange(expectStatus, 'expectStatus');
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw badConfig(`must be a positive integer, got ${maxBodyBytes}`, 'maxBodyBytes');
  }
  const secure = url.protocol === 'https:';
  const tlsOptions = [
    'caFile',
    'insecureSkipVerify',
    'clientCertFile',
    'clientKeyFile',
    'serverName',
  ] as const;
  for (const key of tlsOptions) {
    if (!secure && options[key] !== undefined) throw badConfig('only applies to https:// URLs', key);
  }
  if (options.caFile !== undefined && options.insecureSkipVerify === true) {
    throw badConfig('caFile and insecureSkipVerify are mutually exclusive', 'insecureSkipVerify');
  }
  if ((options.clientCertFile === undefined) !== (options.clientKeyFile === undefined)) {
    throw badConfig('clientCertFile and clientKeyFile go together', 'clientCertFile');
  }
  const ca = options.caFile === undefined ? undefined : new RotatingFile(options.caFile);
  const cert = options.clientCertFile === undefined ? undefined : new RotatingFile(options.clientCertFile);
  const key = options.clientKeyFile === undefined ? undefined : new RotatingFile(options.clientKeyFile);
  const token = options.bearerTokenFile === undefined ? undefined : new RotatingFile(options.bearerTokenFile);
  // Lower-case names, so that a user's `Host` cannot sit beside ours.
  const baseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) baseHeaders[name.toLowerCase()] = value;
  if (options.hostHeader !== undefined) baseHeaders.host = options.hostHeader;

  return {
    name: options.name ?? `http ${url.href}`,
    async run(signal) {
      const startedMs = clock.now();
      const fail = (reason: string): ProbeResult => ({
        ok: false,
        latencyMs: clock.now() - startedMs,
        reason,
      });
      const headers = { ...baseHeaders };
      if (token !== undefined) {
        const read = await readFile(token, 'bearer token file');
        if (typeof read === 'string') return fail(read);
        const value = read.toString('utf8').trim();
        if (value === '') return fail(`bearer token file ${token.path} is empty`);
        headers.authorization = `Bearer ${value}`;
      }
      let tls: TlsMaterial | undefined;
      if (secure) {
        const material: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
        for (const [field, file, what] of [
          ['ca', ca, 'CA file'],
          ['cert', cert, 'client certificate file'],
          ['key', key, 'client key file'],
        ] as const) {
          if (file === undefined) continue;
          const read = await readFile(file, what);
          if (typeof read === 'string') return fail(read);
          material[field] = read;
        }
        tls = {
          ...material,
          rejectUnauthorized: options.insecureSkipVerify !== true,
          ...(options.serverName === undefined ? {} : { servername: options.serverName }),
        };
      }
      if (signal.aborted) return fail(`${describeAbort(signal)} while reading files`);
      return httpGet(
        { url, headers, tls, expectStatus, bodyMatch: options.bodyMatch, maxBodyBytes },
        signal,
        clock,
        startedMs,
      );
    },
  };
}

/** Reads a rotating file, or says why it could not. */
async function readFile(file: RotatingFile, what: string): Promise<Buffer | string> {
  try {
    return await file.read();
  } catch (err) {
    return `cannot read ${what} ${file.path}: ${describeError(err)}`;
  }
}

type Phase = 'connecting' | 'TLS handshake' | 'waiting for response headers' | 'reading body';

/**
 * Performs one GET and judges it: the status must be in range, the body (when a match is
 * asked for) must match, and the response must arrive complete. Aborting `signal` destroys the
 * socket at once; the reason then says which phase the request was stuck in.
 */
export function httpGet(
  plan: HttpRequestPlan,
  signal: AbortSignal,
  clock: Clock,
  startedMs: number = clock.now(),
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let phase: Phase = 'connecting';
    const secure = plan.url.protocol === 'https:';
    const settle = (ok: boolean, reason: string, destroy: boolean): void => {
      if (settled) return;
      settled = true;
      if (destroy) req.destroy();
      resolve({ ok, latencyMs: clock.now() - startedMs, reason });
    };
    const fail = (reason: string): void => {
      settle(false, signal.aborted ? `${describeAbort(signal)} while ${phase}` : reason, true);
    };
    const host = plan.url.hostname.startsWith('[') ? plan.url.hostname.slice(1, -1) : plan.url.hostname;
    const options: RequestOptions = {
      host,
      port: plan.url.port === '' ? (secure ? 443 : 80) : Number(plan.url.port),
      path: `${plan.url.pathname}${plan.url.search}`,
      method: 'GET',
      headers: {
        'user-agent': 'anyvip-healthcheck',
        accept: '*/*',
        host: plan.url.host,
        ...plan.headers,
        // A health check must not ride on a pooled connection: close after each answer.
        connection: 'close',
      },
      agent: false,
      signal,
      ...(secure ? plan.tls : {}),
    };
    // Loaded here, not imported: https pulls in tls and crypto (+8 MB of RSS) for a process
    // whose checks are all plain HTTP or TCP, and an ES module import of http reads its lazy
    // getters, which load undici (+13 MB in a bare process, Node 24).
    const req = secure
      ? process.getBuiltinModule('node:https').request(options)
      : process.getBuiltinModule('node:http').request(options);
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        if (phase === 'connecting') phase = secure ? 'TLS handshake' : 'waiting for response headers';
      });
      socket.once('secureConnect', () => {
        if (phase === 'TLS handshake' || phase === 'connecting') phase = 'waiting for response headers';
      });
    });
    req.on('error', (err) => fail(`${phase}: ${describeError(err)}`));
    req.on('response', (res) => {
      phase = 'reading body';
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let kept = 0;
      let received = 0;
      const judge = (truncated: boolean): void => {
        const body = Buffer.concat(chunks).toString('utf8');
        const { min, max } = plan.expectStatus;
        if (status < min || status > max) {
          settle(
            false,
            `HTTP ${status} (expected ${min}-${max})${body === '' ? '' : `: ${snippet(body)}`}`,
            true,
          );
        } else if (plan.bodyMatch !== undefined && !matches(body, plan.bodyMatch)) {
          const within = truncated ? ` in its first ${plan.maxBodyBytes} bytes` : '';
          settle(
            false,
            `HTTP ${status} but the body does not match ${describeMatch(plan.bodyMatch)}${within}`,
            true,
          );
        } else {
          // Complete answers close on their own (Connection: close); cut only what we stop reading.
          settle(true, `HTTP ${status}`, truncated);
        }
      };
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (kept < plan.maxBodyBytes) {
          const part = chunk.subarray(0, plan.maxBodyBytes - kept);
          chunks.push(part);
          kept += part.length;
        }
        if (received > plan.maxBodyBytes) judge(true);
      });
      res.on('end', () => judge(false));
      res.on('error', (err) =>
        fail(`response broken after ${received} bytes of body: ${describeError(err)}`),
      );
      res.on('close', () => {
        if (!res.complete) fail(`connection closed mid-response after ${received} bytes of body`);
      });
    });
    req.end();
  });
}

function matches(body: string, match: string | RegExp): boolean {
  if (typeof match === 'string') return body.includes(match);
  match.lastIndex = 0;
  return match.test(body);
}

function describeMatch(match: string | RegExp): string {
  return typeof match === 'string' ? JSON.stringify(match) : String(match);
}

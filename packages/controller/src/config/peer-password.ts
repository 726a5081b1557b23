/**
 * A TCP-MD5 key (RFC 2385) taken from a Kubernetes Secret. The key stays inside this object:
 * JSON (logs, status, the sinks' diff) sees only where it came from and a fingerprint that
 * changes when the key does (computed where the Secret is read: an HMAC under a per-process
 * key, as `passwordFingerprint` is for key files), so a rotated key re-adds its peer and an
 * unchanged one touches nothing.
 */
export class PeerPassword {
  readonly #key: string;
  /** `secret/key`, for messages. */
  readonly from: string;
  readonly fingerprint: string;

  constructor(key: string, from: string, fingerprint: string) {
    this.#key = key;
    this.from = from;
    this.fingerprint = fingerprint;
  }

  /** The key itself, for the speaker's `addPeer` only. */
  reveal(): string {
    return this.#key;
  }

  toJSON(): { readonly from: string; readonly fingerprint: string } {
    return { from: this.from, fingerprint: this.fingerprint };
  }

  toString(): string {
    return `[TCP-MD5 key from ${this.from}]`;
  }
}

// node:fs's callback API through getBuiltinModule, not node:fs/promises nor an ES module import
// of node:fs (whose `promises` getter loads it): fs/promises brings readline and the REPL
// history along, ~1.2 MB of RSS in every process.
const fs = process.getBuiltinModule('node:fs');
const { promisify } = process.getBuiltinModule('node:util');
const stat = promisify(fs.stat);
const readFile = promisify(fs.readFile);

/**
 * A small file (a bearer token, a CA bundle, a client key) that is re-read when it changes on
 * disk. Kubelet rotates projected service-account tokens by swapping a `..data` symlink, and
 * cert-manager or kubeadm rewrite certificates in place; both change the inode, size or
 * timestamps that `stat` reports, so each use costs one `stat` and a read only after a change.
 */
export class RotatingFile {
  readonly path: string;
  #stamp: string | undefined;
  #content: Buffer | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The current content; rejects with the fs error when the file cannot be read. */
  async read(): Promise<Buffer> {
    // `stat` follows symlinks, so an atomic `..data` swap shows up as a new inode.
    const st = await stat(this.path);
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.#content === undefined || stamp !== this.#stamp) {
      this.#content = await readFile(this.path);
      this.#stamp = stamp;
    }
    return this.#content;
  }

  /** Same as {@link RotatingFile.read}, synchronously (for validation when a probe is built). */
  readSync(): Buffer {
    const st = fs.statSync(this.path);
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.#content === undefined || stamp !== this.#stamp) {
      this.#content = fs.readFileSync(this.path);
      this.#stamp = stamp;
    }
    return this.#content;
  }
}

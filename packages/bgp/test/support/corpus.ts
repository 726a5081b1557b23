/**
 * Where the third-party BGP corpus lives: inside the repository, so that a clone with
 * nothing beside it runs every test (issue 12 §1). See test/corpus/README.md for what
 * each file is, where it comes from and under which licence.
 */
import { resolve } from 'node:path';

/** Absolute path of packages/bgp/test/corpus. */
export const CORPUS_DIR = resolve(import.meta.dirname, '../corpus');

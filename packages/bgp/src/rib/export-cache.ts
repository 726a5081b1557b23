import type { UnicastAfi } from '../wire/family.js';
import type { AttributeSet, AttributeSetTable } from './attribute-set.js';
import { computeExport, type ExportFacts } from './export-policy.js';
import type { RouteTemplate } from './route-template.js';

/** A template as one peer receives it: its interned attribute set and its next hop. */
export interface ExportedPath {
  readonly set: AttributeSet;
  readonly nextHop: string;
}

/** What an {@link ExportCache} needs: the shared attribute sets, the peer's facts, and where refusals go. */
export interface ExportCacheOptions {
  readonly table: AttributeSetTable;
  readonly facts: ExportFacts;
  /** Called once per template and family the export policy refuses for this peer. */
  readonly onRefused: (afi: UnicastAfi, reason: string) => void;
}

/**
 * One peer's form of each originated template, per family: `computeExport` runs
 * once per (template, family) and its attributes are interned once, so the routes
 * that share a template share one attribute set and, in the Adj-RIB-Out, UPDATEs.
 * A refusal is cached too (as `null`), so it is reported once.
 *
 * The last lookup is remembered: the initial table and bulk announcements come
 * in runs of one template, and then a lookup costs two comparisons.
 */
export class ExportCache {
  readonly #opts: ExportCacheOptions;
  /** Per AFI - 1. */
  readonly #paths: [Map<RouteTemplate, ExportedPath | null>, Map<RouteTemplate, ExportedPath | null>] = [
    new Map(),
    new Map(),
  ];
  #lastTemplate: RouteTemplate | undefined;
  #lastAfi = 0;
  #lastPath: ExportedPath | null = null;

  constructor(opts: ExportCacheOptions) {
    this.#opts = opts;
  }

  /** This peer's path for `template` in family `afi`, or null when the policy refuses it. */
  resolve(template: RouteTemplate, afi: UnicastAfi): ExportedPath | null {
    if (template === this.#lastTemplate && afi === this.#lastAfi) return this.#lastPath;
    const cache = this.#paths[afi - 1]!;
    let path = cache.get(template);
    if (path === undefined) {
      const result = computeExport(template, afi, this.#opts.facts);
      if (result.kind === 'refused') {
        this.#opts.onRefused(afi, result.reason);
        path = null;
      } else {
        path = { set: this.#opts.table.intern(result.attributes), nextHop: result.nextHop };
      }
      cache.set(template, path);
    }
    this.#lastTemplate = template;
    this.#lastAfi = afi;
    this.#lastPath = path;
    return path;
  }

  /** Drops what was cached for a template no route uses any more, releasing its attribute sets. */
  forget(template: RouteTemplate): void {
    for (const cache of this.#paths) {
      const path = cache.get(template);
      if (path === undefined) continue;
      cache.delete(template);
      path?.set.release();
    }
    if (this.#lastTemplate === template) this.#lastTemplate = undefined;
  }

  /** Drops everything, releasing every attribute set (the session went down). */
  clear(): void {
    for (const cache of this.#paths) {
      for (const path of cache.values()) path?.set.release();
      cache.clear();
    }
    this.#lastTemplate = undefined;
  }
}

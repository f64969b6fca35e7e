import type { ParsedTemplate } from '../config/route-syntax.js';
import { parseTemplate } from '../config/route-syntax.js';
import type { Logger } from '../log/logger.js';
import { DeclaredRoutes } from './declared-routes.js';
import { LabelBudget } from './label-budget.js';
import { type LearnedPath, LearnedRoutes } from './learned-routes.js';
import { pathOf, splitSegments } from './path-segments.js';
import { ROUTE_LOG_INTERVAL_MS, RouteEventLog } from './route-events.js';

/** Route label of a 404 or 405 on a path no route was confirmed for (scanners, typos). */
export const ROUTE_NOT_FOUND = '__not_found__';
/** Route label of a new learned template once MAX_ROUTES of them are in use. */
export const ROUTE_OVERFLOW = '__overflow__';
/** Route label of a never-confirmed path that got no confirming answer (no answer, 400, 422). */
export const ROUTE_UNCONFIRMED = '__unconfirmed__';

/** Templates taken from one document at most; a real API has a few hundred paths. */
export const MAX_DOCUMENT_TEMPLATES = 5_000;
/** How many request paths keep their match cached; a scan of random paths only refills it. */
const MATCH_CACHE_SIZE = 4_096;

export type RouteSource = 'document' | 'pattern' | 'learned';
export type EvictionReason = 'idle' | 'folded';

/** What a request target matched, decided at request start. */
export interface RouteMatch {
  /** The template: Sentry's transaction name and span `http.route` use it from the start. */
  readonly template: string;
  /** From the OpenAPI document or ROUTE_PATTERNS: labelled without backend evidence. */
  readonly declared: boolean;
  readonly source: RouteSource;
  /** A declared match that a backend 404 or 405 turns into `__not_found__` (see DeclaredMatch). */
  readonly loose: boolean;
  /** The learner's view of the path, for learned matches. */
  readonly learned: LearnedPath | undefined;
}

export interface RouteLabelerOptions {
  readonly patterns: readonly ParsedTemplate[];
  readonly maxRoutes: number;
  /** A learned label unseen this long is evicted; 0 never evicts. */
  readonly idleEvictMs: number;
  /**
   * A learned label left the budget: its series should leave the registry, or, when `into` is
   * given (a fold), be added to the series of `into`, the label that stands for it now.
   */
  onEvict(label: string, reason: EvictionReason, into?: string): void;
  /** A request was recorded as `__overflow__` instead of `template`. */
  onOverflow(template: string): void;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

/** One OpenAPI document's templates (the `paths` keys, verbatim) and its own path prefix. */
export interface DocumentRoutes {
  readonly templates: readonly string[];
  /** `servers[0].url`'s path or `basePath`, e.g. `/api`; '' for none. */
  readonly serverPrefix: string;
}

export interface DocumentTemplatesResult {
  readonly accepted: number;
  readonly refused: { template: string; reason: string }[];
}

/**
 * The prefixes a document's templates are registered under, whole prefix first: with k leading
 * segments of the server prefix dropped, k = 0 up to all of them, behind OPENAPI_PATH_PREFIX.
 */
function* prefixRounds(
  documents: readonly DocumentRoutes[],
  pathPrefix: string,
): Generator<{ document: DocumentRoutes; prefix: string; whole: boolean }> {
  const segments = documents.map((d) => d.serverPrefix.split('/').filter((s) => s !== ''));
  const deepest = Math.max(0, ...segments.map((s) => s.length));
  for (let k = 0; k <= deepest; k++) {
    for (let i = 0; i < documents.length; i++) {
      const own = segments[i]!;
      if (k > own.length) continue;
      const rest = own.slice(k);
      yield {
        document: documents[i]!,
        prefix: pathPrefix + (rest.length ? `/${rest.join('/')}` : ''),
        whole: k === 0,
      };
    }
  }
}

/** 400, 404, 405 and 422 say nothing about a route existing (a 422 for a bad value neither). */
function confirms(status: number | undefined): status is number {
  return status !== undefined && status !== 400 && status !== 404 && status !== 405 && status !== 422;
}

/**
 * Decides each request's `http_route`: a declared template (OpenAPI document, ROUTE_PATTERNS)
 * when one matches, else a learned one. Declared templates are always labelled and never count
 * against MAX_ROUTES; learned ones hold a place while they are in use.
 */
export class RouteLabeler {
  private declared: DeclaredRoutes;
  private readonly learned: LearnedRoutes;
  private readonly budget: LabelBudget;
  private readonly events: RouteEventLog;
  private readonly cache = new Map<string, RouteMatch>();
  private readonly clock: () => number;
  private readonly sweepEveryMs: number;
  private nextSweep: number;
  private documentTemplates = 0;

  constructor(private readonly options: RouteLabelerOptions) {
    this.clock = options.clock ?? Date.now;
    const now = this.clock();
    this.declared = this.build([], '').routes;
    this.budget = new LabelBudget(options.maxRoutes);
    // Enough nodes for every admitted label's path, within a few MB whatever MAX_ROUTES says.
    const maxNodes = Math.min(65_536, Math.max(4_096, options.maxRoutes * 16));
    this.learned = new LearnedRoutes(maxNodes, (prefix, into) => this.fold(prefix, into), now);
    this.events = new RouteEventLog(options.logger, ROUTE_LOG_INTERVAL_MS, options.maxRoutes);
    this.sweepEveryMs = Math.min(60_000, Math.max(1_000, Math.floor(options.idleEvictMs / 10)));
    this.nextSweep = now + this.sweepEveryMs;
  }

  /** Learned labels holding a place in MAX_ROUTES. */
  get size(): number {
    return this.budget.size;
  }

  /** Templates of the current OpenAPI document in use. */
  get documentSize(): number {
    return this.documentTemplates;
  }

  /** Nodes of the learned-template tree (bounded). */
  get learnedNodes(): number {
    return this.learned.nodes;
  }

  /** At request start, from the raw request target: which template it falls under. */
  template(target: string): RouteMatch {
    const path = pathOf(target);
    const hit = this.cache.get(path);
    if (hit !== undefined) {
      const learned = hit.learned;
      if (
        learned === undefined ||
        (learned.nodes !== undefined && learned.generation === this.learned.generation)
      ) {
        return hit;
      }
    }
    const match = this.match(path);
    if (this.cache.size >= MATCH_CACHE_SIZE) this.cache.clear();
    this.cache.set(path, match);
    return match;
  }

  private match(path: string): RouteMatch {
    const declared = this.declared.match(path);
    if (declared !== undefined) {
      const { route, loose } = declared;
      return { template: route.template, declared: true, source: route.source, loose, learned: undefined };
    }
    const learned = this.learned.resolve(splitSegments(path));
    return { template: learned.template, declared: false, source: 'learned', loose: false, learned };
  }

  /** Once per exchange, when the backend's status is known (undefined: it never answered). */
  label(match: RouteMatch, backendStatus: number | undefined): string {
    if (match.declared) {
      return match.loose && (backendStatus === 404 || backendStatus === 405)
        ? ROUTE_NOT_FOUND
        : match.template;
    }
    const now = this.clock();
    const label = this.learnedLabel(match, backendStatus, now);
    // After the decision, so that the label just recorded is not the one swept away.
    if (now >= this.nextSweep) this.sweep(now);
    return label;
  }

  private learnedLabel(match: RouteMatch, backendStatus: number | undefined, now: number): string {
    if (!confirms(backendStatus)) {
      if (this.budget.touch(match.template, now)) return match.template;
      // A bad value refused where the backend has a confirmed route for values: that route.
      if ((backendStatus === 400 || backendStatus === 422) && match.learned !== undefined) {
        const route = this.learned.asValue(match.learned.segments);
        if (route !== undefined && this.budget.touch(route, now)) return route;
      }
      return backendStatus === 404 || backendStatus === 405 ? ROUTE_NOT_FOUND : ROUTE_UNCONFIRMED;
    }
    const template = match.learned === undefined ? match.template : this.learned.learn(match.learned, now);
    if (this.budget.touch(template, now) || this.budget.admit(template, now)) return template;
    this.guard('onOverflow', () => this.options.onOverflow(template));
    this.events.overflow(template, now);
    return ROUTE_OVERFLOW;
  }

  /** One document's templates, without a path prefix (see setDocuments). */
  setDocumentTemplates(templates: readonly string[]): DocumentTemplatesResult {
    return this.setDocuments([{ templates, serverPrefix: '' }], '');
  }

  /**
   * New OpenAPI documents' templates replace the previous ones at once. Each template the
   * matcher cannot use is refused with the reason; the rest serve, labelled as the document
   * writes them (what in-app instrumentations report as http.route), whichever way the request
   * reached them: behind OPENAPI_PATH_PREFIX and the document's whole server prefix, or with
   * leading parts of the server prefix already taken off by a proxy in front (a FastAPI app
   * served under a `root_path` that nginx strips sees `/items/1`, and documents `/svc`).
   */
  setDocuments(documents: readonly DocumentRoutes[], pathPrefix: string): DocumentTemplatesResult {
    const built = this.build(documents, pathPrefix);
    this.declared = built.routes;
    this.documentTemplates = built.accepted;
    this.cache.clear();
    return { accepted: built.accepted, refused: built.refused };
  }

  private build(
    documents: readonly DocumentRoutes[],
    pathPrefix: string,
  ): DocumentTemplatesResult & { routes: DeclaredRoutes } {
    const routes = new DeclaredRoutes();
    for (const pattern of this.options.patterns) routes.add(pattern, 'pattern');
    const refused: { template: string; reason: string }[] = [];
    let accepted = 0;
    // Whole prefixes first, so a shorter prefix never takes a shape a longer one holds.
    for (const { document, prefix, whole } of prefixRounds(documents, pathPrefix)) {
      for (const template of document.templates) {
        if (typeof template !== 'string') {
          if (whole) refused.push({ template: String(template), reason: 'is not a string' });
          continue;
        }
        if (whole && accepted >= MAX_DOCUMENT_TEMPLATES) {
          refused.push({ template, reason: `comes after the first ${MAX_DOCUMENT_TEMPLATES} templates` });
          continue;
        }
        let reason: string | undefined;
        try {
          reason = routes.add(parseTemplate(prefix + template, 'openapi'), 'document', template);
        } catch (error) {
          reason = (error as Error).message;
        }
        if (!whole) continue;
        if (reason === undefined) accepted++;
        else refused.push({ template, reason });
      }
    }
    return { routes, accepted, refused };
  }

  /**
   * Gives back the places of learned labels unseen for the idle time, forgets the learner's
   * idle nodes and writes the pending log line. Runs from label() at most every few seconds;
   * the sidecar also calls it on a timer so an idle proxy's series leave too.
   */
  sweep(now: number = this.clock()): void {
    this.nextSweep = now + this.sweepEveryMs;
    if (this.options.idleEvictMs > 0) {
      const cutoff = now - this.options.idleEvictMs;
      for (const label of this.budget.evictIdle(cutoff)) this.evict(label, 'idle', now);
      this.learned.sweep(cutoff);
    }
    this.events.flush(now);
  }

  /**
   * The labels under a folded literal hand their place and their counts to the `{param}`
   * label that replaces each: no series is left for a slug, and no request is lost.
   */
  private fold(prefix: string, into: string): void {
    const now = this.clock();
    for (const label of this.budget.evictPrefix(prefix)) {
      const merged = into + label.slice(prefix.length);
      // Folding freed one place per label, so the merged label always finds one.
      const kept = this.budget.touch(merged, now) || this.budget.admit(merged, now);
      this.evict(label, 'folded', now, kept ? merged : undefined);
    }
  }

  private evict(label: string, reason: EvictionReason, now: number, into?: string): void {
    this.events.evicted(reason, now);
    this.guard('onEvict', () => this.options.onEvict(label, reason, into));
  }

  /** A failing callback is logged; the request that ran into it goes on. */
  private guard(hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.options.logger?.error({ err: error, hook }, 'route label callback failed');
    }
  }
}

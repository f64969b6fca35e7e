import { allLeaves, LEARNING, LearnNode, PARAM_PLACEHOLDER, subtreeSize } from './learn-node.js';
import { ParamValues } from './param-values.js';
import { ID_PLACEHOLDER, isValueSegment, MAX_LEARNED_SEGMENTS } from './path-segments.js';

export interface LearnedPath {
  readonly template: string;
  readonly segments: readonly string[];
  /** The node of every segment, when the tree has them all; then counting a hit needs no lookup. */
  readonly nodes: readonly LearnNode[] | undefined;
  /** The tree's generation these nodes and this template belong to. */
  readonly generation: number;
}

type Step = { placeholder: string; next: LearnNode | undefined };

/**
 * The tree of learned templates, for backends without a document. Value-shaped segments are
 * `{id}`; other segments stay literal until their position turns `{param}` by the rules of
 * LEARNING. Only answers that confirm a route teach it (see RouteLabeler.label).
 */
export class LearnedRoutes {
  private readonly root: LearnNode;
  private nodeCount = 1;
  /** Bumped whenever a template the tree gave may have changed (a collapse, a sweep). */
  generation = 0;

  constructor(
    private readonly maxNodes: number,
    /**
     * A literal child folded into `{param}`: labels under `prefix` will not be produced again;
     * `into` is the prefix that stands for them now (`/users/alice` → `/users/{param}`).
     */
    private readonly onFold: (prefix: string, into: string) => void,
    now: number,
  ) {
    this.root = new LearnNode(undefined, '', now);
  }

  get nodes(): number {
    return this.nodeCount;
  }

  private step(node: LearnNode | undefined, segment: string): Step {
    if (isValueSegment(segment)) return { placeholder: ID_PLACEHOLDER, next: node?.id };
    const literal = node?.literals?.get(segment);
    if (literal !== undefined) return { placeholder: segment, next: literal };
    if (node?.param !== undefined) return { placeholder: PARAM_PLACEHOLDER, next: node.param };
    return { placeholder: segment, next: undefined };
  }

  /** The template the tree gives these segments now, without learning anything. */
  resolve(segments: readonly string[]): LearnedPath {
    const depth = Math.min(segments.length, MAX_LEARNED_SEGMENTS);
    const nodes: LearnNode[] = [];
    let node: LearnNode | undefined = this.root;
    let template = '';
    for (let i = 0; i < depth; i++) {
      const { placeholder, next } = this.step(node, segments[i]!);
      template += '/' + placeholder;
      if (next !== undefined) nodes.push(next);
      node = next;
    }
    if (segments.length > MAX_LEARNED_SEGMENTS) template += '/*';
    return {
      template: template === '' ? '/' : template,
      segments,
      nodes: nodes.length === depth ? nodes : undefined,
      generation: this.generation,
    };
  }

  /**
   * The template these segments have if their first literal the tree does not know is a value of
   * the `{id}` beside it, as a 400 or 422 for a bad value (`/items/red-shirt` where ids are
   * numbers) says; undefined when no such literal has an `{id}` beside it.
   */
  asValue(segments: readonly string[]): string | undefined {
    const depth = Math.min(segments.length, MAX_LEARNED_SEGMENTS);
    let node: LearnNode | undefined = this.root;
    let template = '';
    let swapped = false;
    for (let i = 0; i < depth; i++) {
      let { placeholder, next } = this.step(node, segments[i]!);
      if (next === undefined && !swapped && node?.id !== undefined) {
        placeholder = ID_PLACEHOLDER;
        next = node.id;
        swapped = true;
      }
      template += '/' + placeholder;
      node = next;
    }
    if (!swapped) return undefined;
    return segments.length > MAX_LEARNED_SEGMENTS ? `${template}/*` : template;
  }

  /** A confirmed answer on this path: counts it, learns from it, returns its template now. */
  learn(path: LearnedPath, now: number): string {
    this.root.lastSeen = now;
    if (path.nodes !== undefined && path.generation === this.generation) {
      let parent = this.root;
      for (let i = 0; i < path.nodes.length; i++) {
        const node = path.nodes[i]!;
        node.hits++;
        node.lastSeen = now;
        if (parent.param === node) this.noteValue(parent, path.segments[i]!, now);
        else if (parent.id !== node) this.noteLiteral(parent, false, now);
        if (this.generation !== path.generation) break;
        parent = node;
      }
      if (path.generation === this.generation) return path.template;
    } else {
      // A collapse restarts the walk: the segments it folded now lead through `{param}`.
      for (let attempt = 0; attempt <= MAX_LEARNED_SEGMENTS; attempt++) {
        if (this.record(path.segments, now)) break;
      }
    }
    return this.resolve(path.segments).template;
  }

  /** Walks and grows the tree along the segments; false when a collapse interrupted the walk. */
  private record(segments: readonly string[], now: number): boolean {
    const generation = this.generation;
    const depth = Math.min(segments.length, MAX_LEARNED_SEGMENTS);
    let node = this.root;
    for (let i = 0; i < depth; i++) {
      const segment = segments[i]!;
      let child: LearnNode | undefined;
      if (isValueSegment(segment)) {
        node.id ??= this.create(node, ID_PLACEHOLDER, now);
        child = node.id;
      } else {
        child = node.literals?.get(segment);
        if (child !== undefined) this.noteLiteral(node, false, now);
        else if (node.param !== undefined) {
          child = node.param;
          this.noteValue(node, segment, now);
        } else child = this.addLiteral(node, segment, now);
      }
      if (this.generation !== generation) return false;
      if (child === undefined) return true; // the tree is full: the rest is templated without it
      child.hits++;
      child.lastSeen = now;
      node = child;
    }
    return true;
  }

  private create(parent: LearnNode, segment: string, now: number, force = false): LearnNode | undefined {
    if (this.nodeCount >= this.maxNodes && !force) return undefined;
    this.nodeCount++;
    return new LearnNode(parent, segment, now);
  }

  private addLiteral(parent: LearnNode, segment: string, now: number): LearnNode | undefined {
    parent.literals ??= new Map();
    const literals = parent.literals;
    const max = parent === this.root ? LEARNING.maxRootLiterals : LEARNING.maxLiterals;
    if (literals.size >= max) return this.collapse(parent, now);
    const grandparent = parent.parent;
    if (
      grandparent !== undefined &&
      grandparent !== this.root &&
      grandparent.param === undefined &&
      grandparent.literals?.get(parent.segment) === parent
    ) {
      let sharing = 1;
      for (const sibling of grandparent.literals.values()) {
        if (sibling !== parent && sibling.literals?.has(segment)) sharing++;
      }
      if (sharing >= LEARNING.sharedContinuation) grandparent.shared = true;
    }
    const child = this.create(parent, segment, now);
    if (child === undefined) return undefined;
    literals.set(segment, child);
    this.noteLiteral(parent, true, now);
    return child;
  }

  /** Counts a confirmed hit on one of `parent`'s literals; rules 2 and 3 are read per block. */
  private noteLiteral(parent: LearnNode, isNew: boolean, now: number): void {
    if (parent === this.root || parent.param !== undefined) return;
    parent.blockHits++;
    if (isNew) parent.blockNew++;
    if (parent.blockHits < LEARNING.block) return;
    const novel = parent.blocks > 0 && parent.blockNew >= LEARNING.novelInBlock;
    const leaves =
      parent.blocks > 0 &&
      (parent.literals?.size ?? 0) > LEARNING.maxLeafLiterals &&
      allLeaves(parent.literals!);
    parent.blocks++;
    parent.blockHits = 0;
    parent.blockNew = 0;
    if (novel || leaves || parent.shared) this.collapse(parent, now);
  }

  /** A confirmed hit on a value of `parent`'s `{param}`; a value hit like a route becomes one. */
  private noteValue(parent: LearnNode, segment: string, now: number): void {
    if (parent.values?.note(segment) !== true) return;
    const child = this.create(parent, segment, now, true);
    if (child === undefined) return;
    parent.literals ??= new Map();
    parent.literals.set(segment, child);
    this.generation++;
  }

  /** The position below `parent` becomes `{param}`; literals with many more hits than most stay. */
  private collapse(parent: LearnNode, now: number): LearnNode | undefined {
    const literals = parent.literals ?? new Map<string, LearnNode>();
    const hits = [...literals.values()].map((c) => c.hits).sort((a, b) => a - b);
    const median = hits[Math.floor(hits.length / 2)] ?? 0;
    const keep = Math.max(LEARNING.keepMinHits, LEARNING.keepFactor * median);
    const into = `${parent.prefix}/${PARAM_PLACEHOLDER}`;
    for (const [segment, child] of literals) {
      if (child.hits >= keep) continue;
      literals.delete(segment);
      this.nodeCount -= subtreeSize(child);
      this.onFold(child.prefix, into);
    }
    // Folding freed at least as many nodes as it needs, bar a tree full of kept literals.
    parent.param ??= this.create(parent, PARAM_PLACEHOLDER, now, true);
    parent.values ??= new ParamValues(LEARNING.keepFactor, LEARNING.maxPromotions);
    parent.shared = false;
    this.generation++;
    return parent.param;
  }

  /** Forgets every node unseen since `cutoff`; a `{param}` position reopens when its node goes. */
  sweep(cutoff: number): void {
    const before = this.nodeCount;
    const visit = (node: LearnNode): void => {
      if (node.literals !== undefined) {
        for (const [segment, child] of node.literals) {
          if (child.lastSeen < cutoff) {
            node.literals.delete(segment);
            this.nodeCount -= subtreeSize(child);
          } else visit(child);
        }
      }
      for (const key of ['id', 'param'] as const) {
        const child = node[key];
        if (child === undefined) continue;
        if (child.lastSeen < cutoff) {
          node[key] = undefined;
          if (key === 'param') node.values = undefined;
          this.nodeCount -= subtreeSize(child);
        } else visit(child);
      }
    };
    visit(this.root);
    if (this.nodeCount !== before) this.generation++;
  }
}

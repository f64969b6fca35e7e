import type { ParamValues } from './param-values.js';

/** The placeholder of a position whose literal values kept multiplying. */
export const PARAM_PLACEHOLDER = '{param}';

/**
 * When a position of the path becomes `{param}` (docs/METRICS.md, "Learned templates"). Each
 * rule reads only what one node keeps about its own children, so memory is bounded by the node
 * count whatever the traffic.
 */
export const LEARNING = Object.freeze({
  /** Rule 1: literal children a position holds at most; the first segment holds more. */
  maxLiterals: 32,
  maxRootLiterals: 64,
  /**
   * Rule 4: more than this many literals at a position, none of which the path goes on after,
   * read at the end of a block after the first. Routes side by side usually differ in what
   * follows them; the values of one parameter end the path, or go on alike (rule 3).
   */
  maxLeafLiterals: 16,
  /**
   * Rule 2: novelty, counted in blocks of `block` confirmed hits on a position's literals. A
   * block that brings `novelInBlock` new literals, after the first block, means values keep
   * arriving (user names, slugs) where real routes would have stopped appearing. The first
   * block is a warm-up: traffic that walks through every route once looks new too.
   */
  block: 32,
  novelInBlock: 8,
  /**
   * Rule 3: siblings that continue with the same literal (`alice/orders`, `bob/orders`,
   * `carol/orders`) are values of one parameter: the route goes on the same way after them.
   * It takes effect at the end of the block, once the real literals beside them (`me`) have
   * had the hits that keep them.
   */
  sharedContinuation: 3,
  /** On a collapse, a literal stays a literal with this many hits and this many times the median. */
  keepMinHits: 4,
  keepFactor: 4,
  /** Literals that may come back out of one `{param}` position by the same rule (ParamValues). */
  maxPromotions: 8,
});

/** One position of the learned tree: a literal, `{id}` or `{param}` after its parent's. */
export class LearnNode {
  literals: Map<string, LearnNode> | undefined;
  id: LearnNode | undefined;
  param: LearnNode | undefined;
  /** The literals counted under `param`, one of which may prove a route of its own. */
  values: ParamValues | undefined;
  hits = 0;
  blockHits = 0;
  blockNew = 0;
  blocks = 0;
  /** Rule 3 held for this node's literals: they collapse at the end of the block. */
  shared = false;

  /** The template up to and including this node (`''` for the root). */
  readonly prefix: string;

  constructor(
    readonly parent: LearnNode | undefined,
    /** The literal, or the placeholder, this node stands for. */
    readonly segment: string,
    public lastSeen: number,
  ) {
    this.prefix = parent === undefined ? '' : `${parent.prefix}/${segment}`;
  }
}

/** No literal of these continues the path. */
export function allLeaves(literals: Map<string, LearnNode>): boolean {
  for (const child of literals.values()) {
    if (child.literals?.size || child.id !== undefined || child.param !== undefined) return false;
  }
  return true;
}

export function subtreeSize(node: LearnNode): number {
  let size = 1;
  if (node.literals !== undefined) for (const child of node.literals.values()) size += subtreeSize(child);
  if (node.id !== undefined) size += subtreeSize(node.id);
  if (node.param !== undefined) size += subtreeSize(node.param);
  return size;
}

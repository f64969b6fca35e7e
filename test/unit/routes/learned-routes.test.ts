import { describe, expect, it } from 'vitest';
import { LEARNING } from '../../../src/routes/learn-node.js';
import { LearnedRoutes } from '../../../src/routes/learned-routes.js';
import { splitSegments } from '../../../src/routes/path-segments.js';

function learner(maxNodes = 4_096) {
  const folded: string[] = [];
  const tree = new LearnedRoutes(maxNodes, (prefix) => folded.push(prefix), 0);
  const hit = (path: string, now = 0) => tree.learn(tree.resolve(splitSegments(path)), now);
  return { tree, folded, hit, peek: (path: string) => tree.resolve(splitSegments(path)).template };
}

describe('learned templates', () => {
  it('turns value-shaped segments into {id} and keeps words', () => {
    const { hit } = learner();
    expect(hit('/api/users/42/orders/7f9c2ab4e1d3')).toBe('/api/users/{id}/orders/{id}');
    expect(hit('/api/v1/items/123e4567-e89b-12d3-a456-426614174000')).toBe('/api/v1/items/{id}');
    expect(hit('/')).toBe('/');
    expect(hit('/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o')).toBe('/a/b/c/d/e/f/g/h/i/j/k/l/*');
  });

  it('collapses user names that share the route after them, and keeps the real literals beside them', () => {
    const { hit, peek, folded } = learner();
    const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
    for (let round = 0; round < 6; round++) {
      for (const name of names) {
        hit('/users/me');
        hit('/users/search');
        hit(`/users/${name}/orders/${round}`);
      }
    }
    expect(peek('/users/zed/orders/9')).toBe('/users/{param}/orders/{id}');
    expect(peek('/users/alice/orders/1')).toBe('/users/{param}/orders/{id}');
    expect(peek('/users/me')).toBe('/users/me');
    expect(peek('/users/search')).toBe('/users/search');
    expect(folded).toContain('/users/alice');
    expect(folded).not.toContain('/users/me');
  });

  it('collapses slugs that keep arriving, not a handful of literals hit again and again', () => {
    const { hit, peek } = learner();
    for (let i = 0; i < 200; i++) {
      hit(
        `/products/${['red', 'blue', 'green', 'black'][i % 4]}-shirt-${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'xyz'[i % 3]}`,
      );
      hit(`/admin/${['dashboard', 'export', 'settings', 'audit', 'users'][i % 5]}`);
      hit('/products/featured');
    }
    expect(peek('/products/new-mug')).toBe('/products/{param}');
    expect(peek('/products/featured')).toBe('/products/featured');
    expect(peek('/admin/export')).toBe('/admin/export');
    expect(peek('/admin/unknown')).toBe('/admin/unknown');
  });

  it('a first walk through many routes is a warm-up, not novelty', () => {
    const { hit, peek } = learner();
    const resources = Array.from(
      { length: 30 },
      (_, i) => `resource${String.fromCharCode(97 + (i % 26))}${i < 26 ? '' : 'x'}`,
    );
    // Resources as an API has them: collections first, and their items.
    for (let round = 0; round < 5; round++) {
      for (const r of resources) hit(`/api/${r}`);
      for (const r of resources) hit(`/api/${r}/${round + 1}`);
    }
    for (const r of resources) expect(peek(`/api/${r}`)).toBe(`/api/${r}`);
    expect(peek('/api/resourcec/7')).toBe('/api/resourcec/{id}');
  });

  it('holds at most maxLeafLiterals literals that all end the path, after the first block', () => {
    const { hit, peek } = learner();
    const tags = Array.from(
      { length: LEARNING.maxLeafLiterals + 1 },
      (_, i) => `tag${'abcdefghijklmnopq'[i]}`,
    );
    let hits = 0;
    while (hits < LEARNING.block * 2 - 1) hit(`/tags/${tags[hits++ % tags.length]}`);
    expect(peek('/tags/taga')).toBe('/tags/taga');
    hit('/tags/taga');
    expect(peek('/tags/taga')).toBe('/tags/{param}');
    expect(peek('/tags/new')).toBe('/tags/{param}');
  });

  it('keeps as many literals that end the path when they are no more than maxLeafLiterals', () => {
    const { hit, peek } = learner();
    const tags = Array.from({ length: LEARNING.maxLeafLiterals }, (_, i) => `tag${'abcdefghijklmnop'[i]}`);
    for (let i = 0; i < LEARNING.block * 4; i++) hit(`/tags/${tags[i % tags.length]}`);
    for (const tag of tags) expect(peek(`/tags/${tag}`)).toBe(`/tags/${tag}`);
  });

  it('gives a route folded in with values its literal back once it is hit like a route', () => {
    const { hit, peek } = learner();
    const names = Array.from(
      { length: 40 },
      (_, i) => `user${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${i >= 26 ? 'z' : ''}`,
    );
    // The names fold at the first block; `search` has had too few hits by then to stay.
    for (const name of names) hit(`/users/${name}/orders`);
    expect(peek('/users/search')).toBe('/users/{param}');
    for (let round = 0; round < 3; round++) {
      for (const name of names) hit(`/users/${name}`);
      for (let i = 0; i < 10; i++) hit('/users/search');
    }
    expect(peek('/users/search')).toBe('/users/search');
    expect(peek('/users/usera')).toBe('/users/{param}');
  });

  it('holds at most maxLiterals literals under one position', () => {
    const { hit, peek } = learner();
    for (let i = 0; i <= LEARNING.maxLiterals; i++)
      hit(`/tags/tag-${String.fromCharCode(97 + (i % 26))}${'qrs'[Math.floor(i / 26)]}`);
    expect(peek('/tags/another')).toBe('/tags/{param}');
  });

  it('stays within its node budget under random paths, and forgets idle nodes', () => {
    const { tree, hit } = learner(500);
    const word = (n: number) => n.toString(36).replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!);
    for (let i = 0; i < 20_000; i++) hit(`/${word(i * 7919)}/${word(i * 104729)}/${word(i)}`, i);
    expect(tree.nodes).toBeLessThanOrEqual(501);
    tree.sweep(30_000);
    expect(tree.nodes).toBe(1);
  });
});

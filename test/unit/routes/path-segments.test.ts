import { describe, expect, it } from 'vitest';
import { isValueSegment, pathOf, splitSegments } from '../../../src/routes/path-segments.js';

describe('path segments', () => {
  it.each([
    ['/api/users?x=1', '/api/users'],
    ['/api/users#frag', '/api/users'],
    ['http://evil.example/api/users/5', '/api/users/5'],
    ['*', '/'],
    ['', '/'],
  ])('the path of %s is %s', (target, path) => {
    expect(pathOf(target)).toBe(path);
  });

  it('drops empty segments', () => {
    expect(splitSegments('//api//users/')).toEqual(['api', 'users']);
  });

  it.each([
    '42',
    '-7',
    '7f9c2ab4e1d3',
    '123e4567-e89b-12d3-a456-426614174000',
    '2024-05-31',
    '2024-05-31T10:20:30Z',
    'jane.doe@example.com',
    'jane.doe%40example.com',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'ORD8F7A6B5C',
    'aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2Vu9',
    'hello%20world',
    'main.a1b2c3d4.js',
    'x'.repeat(49),
  ])('%s is a value', (segment) => {
    expect(isValueSegment(segment)).toBe(true);
  });

  it.each(['api', 'v1', 'users', 'openapi.json', 'oauth2', 'speech-to-text', 'rag_pipeline', 'red-shirt'])(
    '%s is a word of a route',
    (segment) => {
      expect(isValueSegment(segment)).toBe(false);
    },
  );
});

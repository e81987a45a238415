import { describe, expect, it } from 'vitest';
import { named, sql } from '../src/db/sql.ts';

describe('SQL tagged templates', () => {
  it('binds every interpolated value as a parameter, never as text', () => {
    const evil = "x'; DROP TABLE users; --";
    const s = named('t.bind')`SELECT * FROM users WHERE username = ${evil} AND id = ANY(${['a', 'b']}::uuid[])`;
    expect(s.text).toBe('/* t.bind */ SELECT * FROM users WHERE username = $1 AND id = ANY($2::uuid[])');
    expect(s.values).toEqual([evil, ['a', 'b']]);
  });

  it('composes fragments, numbering their parameters in order of appearance', () => {
    const a = sql`a = ${1}`;
    const b = sql`b = ${2} AND ${sql`c = ${3}`}`;
    const s = named('t.compose')`SELECT ${'x'} WHERE ${a} AND ${b} LIMIT ${4}`;
    expect(s.text).toBe('/* t.compose */ SELECT $1 WHERE a = $2 AND b = $3 AND c = $4 LIMIT $5');
    expect(s.values).toEqual(['x', 1, 2, 3, 4]);
  });

  it('joins fragments with a separator; an empty list is the empty fragment', () => {
    const s = named('t.join')`WHERE ${sql.join([sql`a = ${1}`, sql`b`, sql`c = ${2}`], sql` OR `)}${sql.join([], sql`,`)}${sql.empty}`;
    expect(s.text).toBe('/* t.join */ WHERE a = $1 OR b OR c = $2');
    expect(s.values).toEqual([1, 2]);
  });

  it('writes identifiers quoted and refuses anything but a plain name', () => {
    expect(named('t.ident')`SELECT * FROM ${sql.ident('w1_seen')}`.text).toBe('/* t.ident */ SELECT * FROM "w1_seen"');
    for (const bad of ['a"b', 'a b', '1a', '', 'x;drop', 'a.b']) expect(() => sql.ident(bad)).toThrow(/not a plain SQL identifier/);
  });

  it('refuses statement names that could end the comment or hold SQL', () => {
    for (const bad of ['a */ DROP', 'a b', '', '*/', 'x\n']) expect(() => named(bad)).toThrow(/not a statement name/);
    expect(() => named('sessions.page')).not.toThrow();
  });

  it('is a tag only: a plain array of strings cannot pose as a template', () => {
    const forged = ['SELECT 1; DROP TABLE users'] as unknown as TemplateStringsArray;
    expect(() => sql(forged)).toThrow(/tagged template/);
  });
});

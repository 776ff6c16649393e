import { RawJson, stringifyResponse } from '../../src/graphql/raw-json';

describe('responses with JSON text PostgreSQL built', () => {
  it('writes a RawJson data as its text, beside the other members', () => {
    const text = '{"accounts" : {"edges" : [{"node" : {"name" : "A \\"q\\""}}]}}';
    expect(stringifyResponse({ data: new RawJson(text) })).toBe(`{"data":${text}}`);
    const withExtensions = stringifyResponse({ data: new RawJson(text), extensions: { cost: 3 } });
    expect(withExtensions).toBe(`{"data":${text},"extensions":{"cost":3}}`);
    expect(JSON.parse(withExtensions)).toEqual({ data: JSON.parse(text), extensions: { cost: 3 } });
  });

  it('writes anything else as compact JSON, and a RawJson the same way through JSON.stringify', () => {
    expect(stringifyResponse({ data: { a: [1, 'x'] }, errors: [{ message: 'm' }] })).toBe('{"data":{"a":[1,"x"]},"errors":[{"message":"m"}]}');
    expect(stringifyResponse({ errors: [{ message: 'm' }] })).toBe('{"errors":[{"message":"m"}]}');
    expect(JSON.stringify({ data: new RawJson('{"a" : [1, 2]}') })).toBe('{"data":{"a":[1,2]}}');
  });
});

import { DecimalScalar, trimDecimal } from '../../src/graphql/scalars';

describe('the Decimal scalar', () => {
  it('serializes NUMERIC text exactly, trailing fractional zeros trimmed, never through a float', () => {
    expect(trimDecimal('12.500000000000')).toBe('12.5');
    expect(trimDecimal('3.000')).toBe('3');
    expect(trimDecimal('100')).toBe('100');
    expect(trimDecimal('-0.000')).toBe('0');
    expect(trimDecimal('-40.576802069999')).toBe('-40.576802069999');
    expect(DecimalScalar.serialize('0.100000000000000000001000')).toBe('0.100000000000000000001');
    expect(() => DecimalScalar.serialize(0.5)).toThrow('Decimal cannot serialize 0.5');
  });

  it('parses decimal strings (and plain numbers) as text, refusing exponents', () => {
    expect(DecimalScalar.parseValue('-12.5')).toBe('-12.5');
    expect(DecimalScalar.parseValue(60)).toBe('60');
    expect(() => DecimalScalar.parseValue('1e3')).toThrow('Decimal must be a decimal string');
    expect(() => DecimalScalar.parseValue(true)).toThrow('Decimal must be a decimal string');
  });
});

/** Exact sum of decimal strings (BigInt at the longest fraction's scale), trailing zeros trimmed like the Decimal scalar. */
export function exactSum(values: string[]): string {
  const scale = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  const scaled = values.reduce((sum, v) => {
    const [whole = '0', fraction = ''] = v.replace('-', '').split('.');
    const n = BigInt(whole + fraction.padEnd(scale, '0'));
    return sum + (v.startsWith('-') ? -n : n);
  }, 0n);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/0+$/, '').replace(/\.$/, '');
  return negative && out !== '0' ? `-${out}` : out;
}

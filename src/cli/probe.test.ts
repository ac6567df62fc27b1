import { describe, expect, it } from 'vitest';
import { parseGrouping } from './probe.ts';

describe('genprobe probe --grouping', () => {
  it('Pushgateway grouping keys follow label rules', () => {
    expect(parseGrouping('env=prod, region=eu')).toEqual({ env: 'prod', region: 'eu' });
    expect(() => parseGrouping('9x=1')).toThrow(/not a valid label name/);
    expect(() => parseGrouping('env')).toThrow(/needs a value/);
    expect(() => parseGrouping('job=x')).toThrow(/--job/);
  });
});

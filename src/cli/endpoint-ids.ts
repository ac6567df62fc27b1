/** The catalog's endpoint ids, as the config layer checks `endpoints:` keys against them. */
import type { EndpointIds } from '../config/index.ts';

/** Characters shared at the start plus at the end: a typo inside an id keeps both. */
function affixOverlap(a: string, b: string): number {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  return pre + suf;
}

export async function catalogEndpointIds(): Promise<EndpointIds> {
  const { CATALOG, getEndpoint } = await import('../catalog/index.ts');
  const ids = new Set(CATALOG.map((e) => e.id));
  return {
    has: (id) => ids.has(id),
    // getEndpoint's error lists the close ids ("Did you mean: a, b?"); the nearest of them is the
    // one sharing the most of the key's start and end, then the closest in length.
    nearest(id) {
      let close: string[] = [];
      try {
        getEndpoint(id);
        return id;
      } catch (e) {
        close = /Did you mean: ([^?]+)\?/.exec((e as Error).message)?.[1].split(', ') ?? [];
      }
      const score = (c: string) => affixOverlap(id, c) * 100 - Math.abs(c.length - id.length);
      return close.sort((a, b) => score(b) - score(a))[0];
    },
  };
}

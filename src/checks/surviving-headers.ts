/** Headers set after the fleet's copy loop (the judgement lives in cost-headers.ts beside headerValue). */
import { checkSurvivingHeaders } from './cost-headers.ts';
import type { CheckDefinition } from './definition.ts';

export const survivingHeadersCheck: CheckDefinition = {
  name: 'surviving-headers',
  needs: 'bytes',
  appliesTo: ({ headers }) => Object.keys(headers.surviving ?? {}).length > 0,
  run: ({ input }) => checkSurvivingHeaders(input.response.headers, input.headers.surviving),
};

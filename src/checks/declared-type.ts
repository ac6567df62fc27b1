/** Content-Type against the sniffed bytes (the judgement lives in media-type.ts beside the sniff's other use). */
import { always, type CheckDefinition } from './definition.ts';
import { checkDeclaredType } from './media-type.ts';

export const declaredTypeCheck: CheckDefinition = {
  name: 'declared-type',
  needs: 'bytes',
  appliesTo: always,
  run: ({ input, sniffed }) => checkDeclaredType(input.response.declaredType, sniffed, input.output.declaredType),
};

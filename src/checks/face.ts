import { provided, type CheckDefinition } from './definition.ts';
import { fail } from './types.ts';

/**
 * The output's face against the request's reference at the endpoint's target. The face model is
 * the runner's (its settings bound there), so this check stays below the model's runtime.
 */
export const faceIdentityCheck: CheckDefinition = {
  name: 'face-match',
  reports: ['face-present', 'face-match'],
  needs: 'face-model',
  appliesTo: ({ face, output }) => face !== undefined && output.kind !== 'json',
  run: ({ input }) => {
    const face = provided(input.faceModel, 'the face model', 'face-match');
    const spec = provided(input.face, 'the face target', 'face-match');
    if (input.output.kind === 'json') throw new Error('check face-match: a JSON output has no face');
    if (!face.reference) return fail('face-present', `request has no reference media in field "${spec.referenceField}"`);
    return face.model({ output: input.response.body, outputKind: input.output.kind, reference: face.reference, targetPct: face.targetPct });
  },
};

import { always, provided, type CheckDefinition, type TransportOutcome } from './definition.ts';
import { fail, type CheckResult } from './types.ts';

/**
 * A call that got no usable answer (network, timeout, too-large, Modal's edge) fails `transport`;
 * an answered call reports nothing here. An answer the contract itself expects (a removed route's
 * `modal-http: invalid function call` 404) is judged by the error-body checks instead.
 */
export function checkTransport(status: number | null, outcome: TransportOutcome): CheckResult[] {
  const failure = outcome.failure;
  if (!failure || failure.class === 'app-error') return [];
  if (status !== null && outcome.expectedStatuses?.includes(status)) return [];
  return [fail('transport', `${failure.class}: ${failure.message}`, { class: failure.class, status: failure.status ?? status })];
}

/** The first check of every case: a failing one ends the case (there is no answer to judge). */
export const transportCheck: CheckDefinition = {
  name: 'transport',
  needs: 'call',
  appliesTo: always,
  run: ({ input }) => checkTransport(input.response.status, provided(input.transport, 'the call outcome', 'transport')),
};

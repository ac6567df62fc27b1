/**
 * Scheduling inside one endpoint's contract run: the negative cases start once the happy path's call
 * has answered, not after its output and face checks (which can take seconds of CPU for a video), and
 * an endpoint starts as soon as its own apps are warm. Ordering is asserted through promises, not clocks.
 */
import { describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { pass } from '../../src/checks/types.ts';
import { ModalClient, type CallRequest } from '../../src/client/index.ts';
import type { CallResult } from '../../src/client/types.ts';
import { parseConfig } from '../../src/config/index.ts';
import { runGate } from '../../src/runner/gate.ts';
import type { FaceCheck } from '../../src/runner/run-endpoint.ts';
import { useEmulator } from '../support/emulator.ts';

const ENDPOINT = 'sdxl-instantid'; // face route with several negative cases
const NEGATIVES = getEndpoint(ENDPOINT).errors.length;

class ObservedClient extends ModalClient {
  readonly events: string[] = [];
  #onCall: () => void = () => undefined;
  onCall(fn: () => void) {
    this.#onCall = fn;
  }
  override async call(req: CallRequest): Promise<CallResult> {
    const body = req.json as Record<string, unknown> | undefined;
    const label = req.method === 'GET' ? `GET ${req.path}` : body && 'reference_image' in body && 'prompt' in body && typeof body.reference_image === 'string' && body.reference_image.startsWith('data:') ? 'happy' : 'negative';
    this.events.push(`${label} sent`);
    this.#onCall();
    const r = await super.call(req);
    this.events.push(`${label} answered`);
    return r;
  }
}

describe('runEndpoint scheduling', () => {
  const emulator = useEmulator({ timeScale: 0.002, seed: 1 });

  it("starts the negative cases while the happy path's face check is still running", async () => {
    const config = parseConfig({ target: { url: `${emulator.url}/{app}`, timeScale: 0.002, overheadMs: 30_000 } });
    const client = new ObservedClient({ targetTemplate: config.target.url });
    let negativesSent = 0;
    let allNegativesSent!: () => void;
    const negativesStarted = new Promise<void>((r) => (allNegativesSent = r));
    client.onCall(() => {
      if (client.events.at(-1) === 'negative sent' && ++negativesSent === NEGATIVES) allNegativesSent();
    });
    // The face check holds until every negative case has been sent; before the change it was awaited
    // first, so this would only end by the fail-safe timeout and the order below would be wrong.
    const faceCheck: FaceCheck = async () => {
      client.events.push('face check started');
      const outcome = await Promise.race([negativesStarted.then(() => 'overlapped'), new Promise((r) => setTimeout(() => r('timed out'), 20_000))]);
      client.events.push(`face check ended (${outcome})`);
      return [pass('face-present', 'stub'), pass('face-match', 'stub')];
    };
    const { report } = await runGate({ config, only: [ENDPOINT], client, faceCheck });
    const ep = report.endpoints[0];
    expect(ep.cases.map((c) => c.kind)).toEqual(['happy', ...Array(NEGATIVES).fill('negative')]);
    expect(ep.verdict).not.toBe('fail'); // the fleet's two known defects are waived (waivers.yaml)
    expect(client.events).toContain('face check ended (overlapped)');
    const ix = (e: string) => client.events.indexOf(e);
    expect(ix('happy answered')).toBeLessThan(ix('negative sent'));
    expect(ix('negative sent')).toBeLessThan(ix('face check ended (overlapped)'));
  }, 60_000);
});

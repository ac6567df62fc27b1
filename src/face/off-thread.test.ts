import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeZoomPanMp4 } from './augment.ts';
import { faceMatchCheck, type FaceMatchOptions } from './check.ts';
import { closeFaceWorker, faceMatchCheckOffThread } from './off-thread.ts';

const fixture = (p: string): Buffer => readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', p));

describe('faceMatchCheck on the worker thread', () => {
  afterAll(() => closeFaceWorker());

  it('gives the same verdicts, percentages and cosines as on the main thread (same person, other person, video)', async () => {
    const astronaut = fixture('faces/astronaut.png');
    const cases: FaceMatchOptions[] = [
      { output: astronaut, outputKind: 'png', reference: astronaut, targetPct: 85 },
      { output: fixture('faces/grace_hopper.jpg'), outputKind: 'jpeg', reference: astronaut, targetPct: 85 },
      { output: await makeZoomPanMp4(astronaut, { frames: 9, fps: 8, size: 256 }), outputKind: 'mp4', reference: astronaut, targetPct: 85, sampleFrames: 3 },
    ];
    // Concurrent requests too: the worker answers each by its id.
    const off = await Promise.all(cases.map((c) => faceMatchCheckOffThread(c)));
    for (let i = 0; i < cases.length; i++) expect(off[i]).toEqual(await faceMatchCheck(cases[i]));
    expect(off.map((r) => r[1].verdict)).toEqual(['pass', 'fail', 'pass']);
  }, 120_000);

  it('a harness error on the worker rejects with its message', async () => {
    const astronaut = fixture('faces/astronaut.png');
    const bad = { output: astronaut, outputKind: 'png', reference: astronaut, targetPct: 85, embedder: 'no-such-embedder' } as unknown as FaceMatchOptions;
    await expect(faceMatchCheckOffThread(bad)).rejects.toThrow(/unknown face embedder "no-such-embedder"/);
  });

  it('after the worker is closed, the next request starts a new one', async () => {
    await closeFaceWorker();
    const astronaut = fixture('faces/astronaut.png');
    const r = await faceMatchCheckOffThread({ output: astronaut, outputKind: 'png', reference: astronaut, targetPct: 85 });
    expect(r[1].verdict).toBe('pass');
  }, 60_000);
});

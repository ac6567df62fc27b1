import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getHuman } from './human-runtime.ts';
import { assertClipConstants, fuseClipToRelu6 } from './model-rewrite.ts';

const graph = () => ({
  modelTopology: {
    node: [
      { name: 'x', op: 'Placeholder' },
      { name: 'six', op: 'Const' },
      { name: 'zero', op: 'Const' },
      { name: 'r', op: 'Relu', input: ['x'] },
      { name: 'mn', op: 'Minimum', input: ['r', 'six'] },
      { name: 'mx', op: 'Maximum', input: ['mn', 'zero'] },
      { name: 'out', op: 'Conv2D', input: ['mx', 'w'] },
      // a Relu whose output is also used elsewhere must stay as it is
      { name: 'r2', op: 'Relu', input: ['x'] },
      { name: 'mn2', op: 'Minimum', input: ['r2', 'six'] },
      { name: 'mx2', op: 'Maximum', input: ['mn2', 'zero'] },
      { name: 'side', op: 'Add', input: ['r2', 'mx2'] },
    ],
  },
});

describe('FaceRes ReLU6 rewrite', () => {
  it('fuses Relu → Minimum → Maximum into Relu6 and rewires its consumers', () => {
    const g = graph();
    const chains = fuseClipToRelu6(g);
    expect(chains).toEqual([{ relu: 'r', upper: 'six', lower: 'zero' }]);
    const names = g.modelTopology.node.map((n) => n.name);
    expect(names).not.toContain('mn');
    expect(names).not.toContain('mx');
    expect(names).toContain('mx2');
    expect(g.modelTopology.node.find((n) => n.name === 'r')!.op).toBe('Relu6');
    expect(g.modelTopology.node.find((n) => n.name === 'out')!.input).toEqual(['r', 'w']);
    expect(g.modelTopology.node.find((n) => n.name === 'r2')!.op).toBe('Relu');
  });

  it('refuses constants other than [0, 6]', () => {
    const chains = [{ relu: 'r', upper: 'six', lower: 'zero' }];
    expect(() => assertClipConstants(chains, (n) => ({ six: 6, zero: 0 })[n])).not.toThrow();
    expect(() => assertClipConstants(chains, (n) => ({ six: 4, zero: 0 })[n])).toThrow(/clips to \[0, 6\].*\[0, 4\]/);
  });

  it('the loaded (rewritten) FaceRes gives bit-identical outputs to the original graph', async () => {
    const human = (await getHuman()) as unknown as { tf: any; models: { models: Record<string, any> } };
    const tf = human.tf;
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/human')), '..', 'models');
    const json = JSON.parse(await readFile(path.join(dir, 'faceres.json'), 'utf8'));
    const bin = await readFile(path.join(dir, 'faceres.bin'));
    const original = await tf.loadGraphModel({
      load: async () => ({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
        format: json.format,
        signature: json.signature,
      }),
    });
    const fused = human.models.models.faceres;
    expect(Object.keys(fused.executor.graph.nodes).length).toBeLessThan(json.modelTopology.node.length);
    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 7);
    const a = original.execute(x) as Array<{ data(): Promise<Float32Array> }>;
    const b = fused.execute(x) as Array<{ data(): Promise<Float32Array> }>;
    for (let k = 0; k < a.length; k++) expect(Buffer.from((await b[k].data()).buffer)).toEqual(Buffer.from((await a[k].data()).buffer));
    tf.dispose([x, ...a, ...b]);
    original.dispose();
  }, 60_000);
});

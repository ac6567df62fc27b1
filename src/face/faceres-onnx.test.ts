import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeRgb, detectFaces } from './detect.ts';
import { cosine } from './embedders.ts';
import { faceresInput, getFaceres, readShippedFaceres } from './faceres.ts';
import { faceresOnTfjs } from './testing.ts';
import { assertClipConstants, decodeWeights, FACERES_DESCRIPTOR, faceresToOnnx, fuseClipToRelu6 } from './faceres-onnx.ts';
import { getHuman } from './human-runtime.ts';
import { createSession, runFloat32 } from './onnx-runtime.ts';

/** A graph node as the exported model.json spells it, from `name Op input…`. */
function node(spec: string): { name: string; op: string; input?: string[] } {
  const [name, op, ...input] = spec.split(' ');
  return input.length ? { name, op, input } : { name, op };
}

const graph = () => ({
  modelTopology: {
    node: [
      node('x Placeholder'),
      node('six Const'),
      node('zero Const'),
      node('r Relu x'),
      node('mn Minimum r six'),
      node('mx Maximum mn zero'),
      node('out Conv2D mx w'),
      // a Relu whose output is also used elsewhere must stay as it is
      node('r2 Relu x'),
      node('mn2 Minimum r2 six'),
      node('mx2 Maximum mn2 zero'),
      node('side Add r2 mx2'),
    ],
  },
});

const shipped = readShippedFaceres;

function compare(p: ArrayLike<number>, q: ArrayLike<number>): { worst: number; oneMinusCos: number } {
  let worst = 0;
  for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
  return { worst, oneMinusCos: 1 - cosine(p, q) };
}

describe('FaceRes ReLU6 chains', () => {
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
    const values = (v: Record<string, number>) => (n: string) => v[n];
    expect(() => assertClipConstants(chains, values({ six: 6, zero: 0 }))).not.toThrow();
    expect(() => assertClipConstants(chains, values({ six: 4, zero: 0 }))).toThrow(/clips to \[0, 6\].*\[0, 4\]/);
  });
});

describe('FaceRes translated to ONNX', () => {
  it('decodes the float16 weights to the values tfjs holds', async () => {
    const { model, bin } = await shipped();
    const human = (await getHuman()) as unknown as { tf: any };
    const tfjs = await faceresOnTfjs(human.tf, { model, bin });
    const decoded = decodeWeights(model, bin);
    expect(decoded.size).toBe(model.weightsManifest[0].weights.length);
    for (const name of ['conv1/convolution/merged_input', 'conv_dw_7/depthwise_kernel', 'global_pooling/Mean/reduction_indices']) {
      const held = tfjs.weights[name][0];
      expect(decoded.get(name)!.shape, name).toEqual(held.shape);
      expect(Array.from(decoded.get(name)!.values), name).toEqual(Array.from(held.dataSync()));
    }
    tfjs.dispose();
  });

  it('refuses a weights file that does not match its manifest, and an op it does not cover', async () => {
    const { model, bin } = await shipped();
    expect(() => faceresToOnnx(model, bin.subarray(0, bin.length - 2))).toThrow(/weights file ends inside/);
    expect(() => faceresToOnnx(model, Buffer.concat([bin, Buffer.alloc(4)]))).toThrow(/4 bytes the manifest does not describe/);
    const changed = structuredClone(model);
    changed.modelTopology.node.find((n) => n.name === 'conv1_relu/Relu')!.op = 'Elu';
    expect(() => faceresToOnnx(changed, bin)).toThrow(/op Elu \(conv1_relu\/Relu\) is not one the translation covers/);
  });

  it('gives tfjs-wasm\'s descriptor on a random input and on the fixtures\' face crops (1 − cos < 1e-7, |Δ| < 1e-4)', async () => {
    const { model, bin } = await shipped();
    const human = await getHuman();
    const tf = human.tf as any;
    const tfjs = await faceresOnTfjs(tf, { model, bin });
    const session = await createSession(faceresToOnnx(model, bin));
    const inputs: Float32Array[] = [tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 7).dataSync()];
    for (const f of ['astronaut.png', 'grace_hopper.jpg', 'camera.png']) {
      const img = await decodeRgb(readFileSync(path.join('fixtures/faces', f)));
      const t = tf.tensor(new Float32Array(img.data), [img.height, img.width, 3], 'float32');
      const found = (await human.detect(t, { face: { detector: { return: true } } } as never)).face;
      inputs.push(faceresInput(human, found[0].tensor!));
      tf.dispose([t, ...found.map((x) => x.tensor)]);
    }
    for (const [k, input] of inputs.entries()) {
      const x = tf.tensor(input, [1, 224, 224, 3]);
      const outputs = tfjs.execute(x) as Array<{ shape: number[]; dataSync(): Float32Array }>;
      const expected = outputs.find((o) => o.shape[1] === 1024)!.dataSync();
      const got = await runFloat32(session, input, [1, 224, 224, 3], FACERES_DESCRIPTOR);
      const d = compare(got, expected);
      expect(d.worst, `input ${k}`).toBeLessThan(1e-4);
      expect(d.oneMinusCos, `input ${k}`).toBeLessThan(1e-7);
      tf.dispose([x, ...outputs]);
    }
    tfjs.dispose();
  }, 120_000);

  it('detection embeds each face with the process\'s one FaceRes session', async () => {
    const img = await decodeRgb(readFileSync('fixtures/faces/astronaut.png'));
    const [a, b] = await Promise.all([detectFaces(img, true), detectFaces(img, true)]);
    expect(a[0].faceresEmbedding).toHaveLength(1024);
    expect(a[0].faceresEmbedding).toEqual(b[0].faceresEmbedding);
    expect(await getFaceres()).toBe(await getFaceres());
    expect((await detectFaces(img, false))[0].faceresEmbedding).toBeUndefined();
  }, 60_000);
});

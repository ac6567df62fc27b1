import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getHuman } from './human-runtime.ts';
import { applyScaleFolds, assertClipConstants, fuseBatchNormRelu6, fuseClipToRelu6 } from './model-rewrite.ts';

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

  it('fuses Conv2D → Add → Relu6 and DepthwiseConv2dNative → Mul → Add → Relu6 into fused convolutions', () => {
    const g = {
      modelTopology: {
        node: [
          node('x Placeholder'),
          ...['w', 'b', 'dw', 's', 'db', 'w2', 'b2'].map((name) => ({ name, op: 'Const' })),
          { name: 'c', op: 'Conv2D', input: ['x', 'w'], attr: { padding: { s: 'U0FNRQ==' } } },
          node('ca Add c b'),
          node('cr Relu6 ca'),
          node('d DepthwiseConv2dNative cr dw'),
          node('dm Mul d s'),
          node('da Add dm db'),
          node('dr Relu6 da'),
          // the conv's output is also read elsewhere: it must stay as it is
          node('c2 Conv2D dr w2'),
          node('c2a Add c2 b2'),
          node('c2r Relu6 c2a'),
          node('side Add c2 c2r'),
        ],
      },
    };
    expect(fuseBatchNormRelu6(g)).toEqual([{ kernel: 'dw', scale: 's' }]);
    const byName = new Map(g.modelTopology.node.map((n) => [n.name, n as { op: string; input?: string[]; attr?: Record<string, any> }]));
    for (const gone of ['c', 'ca', 'd', 'dm', 'da']) expect(byName.has(gone), gone).toBe(false);
    expect(byName.get('cr')).toMatchObject({ op: '_FusedConv2D', input: ['x', 'w', 'b'] });
    expect(byName.get('cr')!.attr!.padding).toEqual({ s: 'U0FNRQ==' });
    expect(byName.get('cr')!.attr!.fused_ops.list.s.map((s: string) => Buffer.from(s, 'base64').toString())).toEqual(['BiasAdd', 'Relu6']);
    expect(byName.get('dr')).toMatchObject({ op: 'FusedDepthwiseConv2dNative', input: ['cr', 'dw', 'db'] });
    expect(byName.get('c2r')!.op).toBe('Relu6');
  });

  it('refuses to fold a scale that is not per-channel over a depthwise kernel', async () => {
    const tf = ((await getHuman()) as unknown as { tf: any }).tf;
    const kernel = tf.ones([3, 3, 4, 1]);
    const weights = { dw: [kernel], s: [tf.ones([3])] };
    expect(() => applyScaleFolds([{ kernel: 'dw', scale: 's' }], weights, tf)).toThrow(/dw is a depthwise kernel with a per-channel scale s/);
    const ok = { dw: [kernel], s: [tf.tensor([1, 2, 3, 4])] };
    applyScaleFolds([{ kernel: 'dw', scale: 's' }], ok, tf);
    expect(Array.from(await ok.dw[0].data()).slice(0, 4)).toEqual([1, 2, 3, 4]);
    tf.dispose([...weights.s, ...ok.s, ...ok.dw]);
  });

  it('the loaded (rewritten) FaceRes gives the original graph\'s outputs (1 − cos < 1e-9, |Δ| < 1e-4)', async () => {
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
    const x = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 7); // Human feeds FaceRes 0..255
    const a = original.execute(x) as Array<{ data(): Promise<Float32Array> }>;
    const b = fused.execute(x) as Array<{ data(): Promise<Float32Array> }>;
    for (let k = 0; k < a.length; k++) {
      const [p, q] = [await a[k].data(), await b[k].data()];
      let dot = 0, pp = 0, qq = 0, worst = 0;
      for (let i = 0; i < p.length; i++) {
        dot += p[i] * q[i];
        pp += p[i] * p[i];
        qq += q[i] * q[i];
        worst = Math.max(worst, Math.abs(p[i] - q[i]));
      }
      expect(worst, `output ${k}`).toBeLessThan(1e-4);
      expect(1 - dot / Math.sqrt(pp * qq), `output ${k}`).toBeLessThan(1e-9);
    }
    tf.dispose([x, ...a, ...b]);
    original.dispose();
  }, 60_000);
});

/**
 * A bit-exact speed-up of Human's FaceRes graph. The Keras export spells each ReLU6 as three ops,
 * `Relu → Minimum(·, 6) → Maximum(·, 0)`, and tfjs-backend-wasm runs Minimum/Maximum against a scalar
 * through its generic broadcasting loop: 150 of FaceRes's 240 ms on one 224² face (tf.profile, this box).
 * For finite x, max(min(max(x, 0), 6), 0) = min(max(x, 0), 6) = relu6(x) exactly (min/max do not round),
 * so the chain becomes one `Relu6` node; the constants it relied on are checked after loading
 * (`assertClipConstants`), and src/face/model-rewrite.test.ts compares outputs with the original graph.
 */

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

interface GraphModelJson {
  modelTopology: { node: GraphNode[] };
}

/** One rewritten chain: the Relu node that is now Relu6, and the constants the Minimum/Maximum used. */
export interface ClipChain {
  relu: string;
  upper: string;
  lower: string;
}

const base = (input: string): string => input.replace(/^\^/, '').split(':')[0];

/** Rewrite every `Relu → Minimum → Maximum` chain whose intermediates feed nothing else into `Relu6`. */
export function fuseClipToRelu6(model: GraphModelJson): ClipChain[] {
  const nodes = model.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, string[]>();
  for (const n of nodes) for (const i of n.input ?? []) consumers.set(base(i), [...(consumers.get(base(i)) ?? []), n.name]);
  const chains: Array<ClipChain & { min: string; max: string }> = [];
  for (const max of nodes) {
    if (max.op !== 'Maximum' || max.input?.length !== 2) continue;
    const min = byName.get(base(max.input[0]));
    if (min?.op !== 'Minimum' || min.input?.length !== 2) continue;
    const relu = byName.get(base(min.input[0]));
    if (relu?.op !== 'Relu') continue;
    if (consumers.get(relu.name)?.length !== 1 || consumers.get(min.name)?.length !== 1) continue;
    chains.push({ relu: relu.name, upper: base(min.input[1]), lower: base(max.input[1]), min: min.name, max: max.name });
  }
  const rename = new Map(chains.map((c) => [c.max, c.relu]));
  const drop = new Set(chains.flatMap((c) => [c.min, c.max]));
  for (const c of chains) byName.get(c.relu)!.op = 'Relu6';
  model.modelTopology.node = nodes.filter((n) => !drop.has(n.name));
  for (const n of model.modelTopology.node) if (n.input) n.input = n.input.map((i) => rename.get(i) ?? i);
  return chains.map(({ relu, upper, lower }) => ({ relu, upper, lower }));
}

/**
 * The rewrite is exact only if each chain clipped to [0, 6]; `valueOf` reads a loaded constant. Throws naming
 * the first chain that did not (a changed model must fail loudly, not shift every face percentage).
 */
export function assertClipConstants(chains: ClipChain[], valueOf: (name: string) => number | undefined): void {
  for (const c of chains) {
    const upper = valueOf(c.upper);
    const lower = valueOf(c.lower);
    if (upper !== 6 || lower !== 0) {
      throw new Error(`face: FaceRes graph rewrite assumed ${c.relu} clips to [0, 6], but the model has [${lower}, ${upper}]; the model changed`);
    }
  }
}

/** A depthwise kernel that must be multiplied by its batch-norm scale once loaded (see fuseBatchNormRelu6). */
export interface ScaleFold {
  kernel: string;
  scale: string;
}

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');

/**
 * Second rewrite, after fuseClipToRelu6: each `Conv2D → Add(bias) → Relu6` becomes one `_FusedConv2D` and each
 * `DepthwiseConv2dNative → Mul(scale) → Add(bias) → Relu6` one fused depthwise conv, so XNNPACK adds the bias and
 * clips while it writes the output instead of three more passes over every activation (FaceRes 48.5 → 45.0 ms).
 * Not bit-exact: the bias joins the sum first, and the depthwise scale is folded into the kernel after loading
 * (the returned folds, applyScaleFolds); the descriptor moves by 1 − cos ≈ 1e-12 (model-rewrite.test.ts).
 * Only chains whose intermediates and constants feed nothing else are rewritten.
 */
export function fuseBatchNormRelu6(model: GraphModelJson): ScaleFold[] {
  const nodes = model.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) consumers.set(base(i), (consumers.get(base(i)) ?? 0) + 1);
  const only = (name: string): boolean => consumers.get(base(name)) === 1;
  const isConst = (name: string): boolean => byName.get(base(name))?.op === 'Const';
  const drop = new Set<string>();
  const folds: ScaleFold[] = [];
  for (const relu6 of nodes) {
    if (relu6.op !== 'Relu6' || relu6.input?.length !== 1) continue;
    const add = byName.get(base(relu6.input[0]));
    if (add?.op !== 'Add' || add.input?.length !== 2 || !only(add.name) || !isConst(add.input[1])) continue;
    let conv = byName.get(base(add.input[0]));
    const mul = conv?.op === 'Mul' ? conv : undefined;
    if (mul) {
      if (mul.input?.length !== 2 || !only(mul.name) || !isConst(mul.input[1])) continue;
      conv = byName.get(base(mul.input[0]));
      if (conv?.op !== 'DepthwiseConv2dNative' || !only(conv.input![1]) || !only(mul.input[1])) continue;
    } else if (conv?.op !== 'Conv2D') continue;
    if (!conv.input || conv.input.length !== 2 || !only(conv.name)) continue;
    relu6.op = mul ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D';
    relu6.input = [conv.input[0], conv.input[1], add.input[1]];
    relu6.attr = { ...conv.attr, num_args: { i: '1' }, epsilon: { f: 0 }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu6')] } } };
    for (const n of [conv, mul, add]) if (n) drop.add(n.name);
    if (mul) folds.push({ kernel: base(conv.input[1]), scale: base(mul.input![1]) });
  }
  model.modelTopology.node = nodes.filter((n) => !drop.has(n.name));
  return folds;
}

interface Tf {
  mul(a: unknown, b: unknown): unknown;
  reshape(a: unknown, shape: number[]): unknown;
  dispose(t: unknown): void;
}
interface LoadedTensor {
  shape: number[];
}

/**
 * Multiply each folded depthwise kernel ([h, w, C, 1]) by its per-channel scale ([C]) in the loaded model's
 * weight map. Throws naming the kernel when the shapes are not the batch-norm pattern the rewrite assumed.
 */
export function applyScaleFolds(folds: ScaleFold[], weights: Record<string, LoadedTensor[]>, tf: Tf): void {
  for (const f of folds) {
    const kernel = weights[f.kernel]?.[0];
    const scale = weights[f.scale]?.[0];
    const channels = kernel?.shape[2];
    if (!kernel || !scale || kernel.shape.length !== 4 || kernel.shape[3] !== 1 || scale.shape.length !== 1 || scale.shape[0] !== channels) {
      throw new Error(`face: FaceRes rewrite assumed ${f.kernel} is a depthwise kernel with a per-channel scale ${f.scale}; the model changed`);
    }
    const shaped = tf.reshape(scale, [1, 1, channels!, 1]);
    weights[f.kernel] = [tf.mul(kernel, shaped) as LoadedTensor];
    tf.dispose([kernel, shaped]);
  }
}

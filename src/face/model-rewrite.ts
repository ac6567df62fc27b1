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

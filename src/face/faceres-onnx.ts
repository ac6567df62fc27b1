/**
 * Human's FaceRes descriptor (a tfjs graph model: MobileNet v1 on a 224² NHWC face, 1024-d global average
 * pool) translated to an ONNX graph for onnxruntime-node. tfjs-wasm ran its 27 convolutions at ~53 ms per face,
 * its SIMD ceiling on one thread (bench/README.md §2); onnxruntime's native kernels run the same arithmetic.
 *
 * The translation is a function of the shipped files only (model JSON + weights), done in memory at load time:
 * nothing derived is stored or committed. It covers exactly the ops the path from `input_1` to
 * `global_pooling/Mean` uses and throws naming any other, so a changed model fails loudly instead of shifting
 * every face percentage. The age and gender heads are not translated (genprobe reads only the descriptor).
 * Layout: the graph takes Human's NHWC tensor and transposes once to NCHW; kernels are transposed to OIHW,
 * per-channel constants reshaped to [C, 1, 1], reduction axes renumbered. TF's SAME padding puts the odd pixel
 * after (SAME_UPPER). The Keras export spells each ReLU6 as `Relu → Minimum(·, 6) → Maximum(·, 0)`; each chain
 * becomes one Clip(0, 6), which onnxruntime fuses into the conv before it. For finite x,
 * max(min(max(x, 0), 6), 0) = min(max(x, 0), 6) exactly (min/max do not round); the constants the chain relied
 * on are checked against the weights (`assertClipConstants`).
 */
import onnxProto, { type onnx as Onnx } from 'onnx-proto';

// onnx-proto is CommonJS (protobufjs's static code): its namespace comes in as the default export.
const { onnx } = onnxProto;

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; b?: boolean; list?: { i?: string[] } }>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface TfjsGraphModel {
  modelTopology: { node: GraphNode[] };
  weightsManifest: Array<{ weights: WeightSpec[] }>;
}

/** A decoded constant: its shape and values (float32 or int32, as tfjs holds it after loading). */
interface Constant {
  shape: number[];
  values: Float32Array | Int32Array;
}

export const FACERES_INPUT = 'input_1';
export const FACERES_DESCRIPTOR = 'global_pooling/Mean';
/** FaceRes's input side: a 224² RGB face, values 0..255 (Human's `enhance`). */
export const FACERES_SIDE = 224;

/** IEEE 754 half → float, exactly (tfjs dequantizes float16 weights to the same float32 values). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The weights file decoded into the constants tfjs would hold (float16-quantized floats dequantized). */
export function decodeWeights(model: TfjsGraphModel, bin: Uint8Array): Map<string, Constant> {
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Map<string, Constant>();
  let offset = 0;
  for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const quant = w.quantization?.dtype;
    const width = quant === 'float16' ? 2 : 4;
    if (quant !== undefined && quant !== 'float16') throw new Error(`faceres: weight ${w.name} uses ${quant} quantization, which the translation does not read`);
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`faceres: weight ${w.name} has dtype ${w.dtype}, which the translation does not read`);
    if (offset + count * width > bin.byteLength) throw new Error(`faceres: the weights file ends inside ${w.name}`);
    const values = w.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const at = offset + i * width;
      values[i] = quant === 'float16' ? halfToFloat(view.getUint16(at, true)) : w.dtype === 'int32' ? view.getInt32(at, true) : view.getFloat32(at, true);
    }
    out.set(w.name, { shape: w.shape, values });
    offset += count * width;
  }
  if (offset !== bin.byteLength) throw new Error(`faceres: the weights file has ${bin.byteLength - offset} bytes the manifest does not describe`);
  return out;
}

const base = (input: string): string => input.replace(/^\^/, '').split(':')[0];

/** One ReLU6 chain: the Relu node that is now Relu6, and the constants the Minimum/Maximum used. */
export interface ClipChain {
  relu: string;
  upper: string;
  lower: string;
}

/** Rewrite every `Relu → Minimum → Maximum` chain whose intermediates feed nothing else into `Relu6`. */
export function fuseClipToRelu6(model: { modelTopology: { node: GraphNode[] } }): ClipChain[] {
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
 * Clip(0, 6) is exact only if each chain clipped to [0, 6]; `valueOf` reads a decoded constant. Throws naming
 * the first chain that did not (a changed model must fail loudly, not shift every face percentage).
 */
export function assertClipConstants(chains: ClipChain[], valueOf: (name: string) => number | undefined): void {
  for (const c of chains) {
    const upper = valueOf(c.upper);
    const lower = valueOf(c.lower);
    if (upper !== 6 || lower !== 0) {
      throw new Error(`faceres: the translation assumed ${c.relu} clips to [0, 6], but the model has [${lower}, ${upper}]; the model changed`);
    }
  }
}

const text = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('latin1');

/** The nodes `output` depends on, inputs before their consumers. */
function pathTo(nodes: GraphNode[], output: string): GraphNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const order: GraphNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const node = byName.get(name);
    if (!node) throw new Error(`faceres: node ${name} is referenced but not in the graph`);
    for (const i of node.input ?? []) visit(base(i));
    order.push(node);
  };
  visit(output);
  return order;
}

/** The ONNX graph being built: its nodes, and its initializers named after the tfjs constants they come from. */
class OnnxGraph {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly constants: Map<string, Constant>) {}

  node(opType: string, inputs: string[], output: string, attribute: Onnx.IAttributeProto[] = []): void {
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
  }

  /** An initializer named `name`, float32, with the given shape and values (read, not copied, until the bytes are encoded). */
  tensor(name: string, dims: number[], values: Float32Array): string {
    if (!this.names.has(name)) {
      this.names.add(name);
      this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    }
    return name;
  }

  constant(name: string): Constant {
    const c = this.constants.get(base(name));
    if (!c) throw new Error(`faceres: constant ${name} has no weights`);
    return c;
  }

  /** A per-channel ([C]) or scalar constant as an NCHW broadcast operand. */
  channelConstant(name: string): string {
    const c = this.constant(name);
    if (!(c.values instanceof Float32Array)) throw new Error(`faceres: ${name} is not a float constant`);
    if (c.shape.length === 0) return this.tensor(base(name), [], c.values);
    if (c.shape.length === 1) return this.tensor(base(name), [c.shape[0], 1, 1], c.values);
    throw new Error(`faceres: ${name} has shape [${c.shape}], expected a scalar or a per-channel vector`);
  }
}

const ints = (name: string, values: number[]): Onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const int = (name: string, value: number): Onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
const str = (name: string, value: string): Onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) });

/** HWIO (Conv2D) or HWCM (depthwise) kernel → ONNX's OIHW; depthwise becomes [C·M, 1, H, W]. */
function oihw(c: Constant, depthwise: boolean): { dims: number[]; values: Float32Array } {
  const [h, w, i, o] = c.shape;
  const outC = depthwise ? i * o : o;
  const inC = depthwise ? 1 : i;
  const values = new Float32Array(c.values.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ci = 0; ci < i; ci++) {
        for (let co = 0; co < o; co++) {
          const src = ((y * w + x) * i + ci) * o + co;
          const oc = depthwise ? ci * o + co : co;
          const ic = depthwise ? 0 : ci;
          values[((oc * inC + ic) * h + y) * w + x] = c.values[src];
        }
      }
    }
  }
  return { dims: [outC, inC, h, w], values };
}

function convAttributes(node: GraphNode, group: number): Onnx.IAttributeProto[] {
  const attr = node.attr ?? {};
  if (text(attr.data_format?.s) !== 'NHWC') throw new Error(`faceres: ${node.name} is not NHWC`);
  const padding = text(attr.padding?.s);
  if (padding !== 'SAME' && padding !== 'VALID') throw new Error(`faceres: ${node.name} has padding ${padding}`);
  const strides = (attr.strides?.list?.i ?? ['1', '1', '1', '1']).map(Number);
  const dilations = (attr.dilations?.list?.i ?? ['1', '1', '1', '1']).map(Number);
  return [
    str('auto_pad', padding === 'SAME' ? 'SAME_UPPER' : 'VALID'),
    ints('strides', [strides[1], strides[2]]),
    ints('dilations', [dilations[1], dilations[2]]),
    int('group', group),
  ];
}

/** Translates one tfjs node (its inputs already translated). */
function translate(g: OnnxGraph, node: GraphNode, input: (i: number) => string, isConst: (i: number) => boolean): void {
  const inputs = node.input ?? [];
  switch (node.op) {
    case 'Const':
      return;
    case 'Conv2D':
    case 'DepthwiseConv2dNative': {
      const depthwise = node.op === 'DepthwiseConv2dNative';
      const kernel = g.constant(inputs[1]);
      if (kernel.shape.length !== 4) throw new Error(`faceres: ${node.name}'s kernel has shape [${kernel.shape}]`);
      const k = oihw(kernel, depthwise);
      g.node('Conv', [input(0), g.tensor(base(inputs[1]), k.dims, k.values)], node.name, convAttributes(node, depthwise ? kernel.shape[2] : 1));
      return;
    }
    case 'Add':
    case 'Mul':
      g.node(node.op, [input(0), isConst(1) ? g.channelConstant(inputs[1]) : input(1)], node.name);
      return;
    case 'Relu6':
      g.node('Clip', [input(0), g.tensor(`${node.name}/min`, [], new Float32Array([0])), g.tensor(`${node.name}/max`, [], new Float32Array([6]))], node.name);
      return;
    case 'Mean': {
      const axes = Array.from(g.constant(inputs[1]).values);
      const nchw = axes.map((a) => [0, 2, 3, 1][a]);
      g.node('ReduceMean', [input(0)], node.name, [ints('axes', nchw), int('keepdims', node.attr?.keep_dims?.b ? 1 : 0)]);
      return;
    }
    default:
      throw new Error(`faceres: op ${node.op} (${node.name}) is not one the translation covers; the model changed`);
  }
}

/**
 * The ONNX bytes of FaceRes from `input_1` (NHWC [1, 224, 224, 3], 0..255) to the 1024-d descriptor. `model` is
 * the shipped faceres.json (not modified), `bin` its weights file.
 */
export function faceresToOnnx(model: TfjsGraphModel, bin: Uint8Array): Uint8Array {
  const graphJson = structuredClone(model);
  const chains = fuseClipToRelu6(graphJson);
  const constants = decodeWeights(model, bin);
  assertClipConstants(chains, (name) => constants.get(name)?.values[0]);
  const g = new OnnxGraph(constants);
  const nodes = pathTo(graphJson.modelTopology.node, FACERES_DESCRIPTOR);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const nchwName = (name: string): string => (base(name) === FACERES_INPUT ? `${FACERES_INPUT}/nchw` : base(name));
  g.node('Transpose', [FACERES_INPUT], `${FACERES_INPUT}/nchw`, [ints('perm', [0, 3, 1, 2])]);
  for (const node of nodes) {
    if (node.op === 'Placeholder') continue;
    const inputs = node.input ?? [];
    translate(g, node, (i) => nchwName(inputs[i]), (i) => byName.get(base(inputs[i]))?.op === 'Const');
  }
  const floatType = (dims: number[]): Onnx.ITypeProto => ({ tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } });
  const graph: Onnx.IGraphProto = {
    name: 'faceres',
    node: g.nodes,
    initializer: g.initializers,
    input: [{ name: FACERES_INPUT, type: floatType([1, FACERES_SIDE, FACERES_SIDE, 3]) }],
    output: [{ name: FACERES_DESCRIPTOR, type: floatType([1, 1024]) }],
  };
  const modelProto: Onnx.IModelProto = { irVersion: 8, producerName: 'genprobe', opsetImport: [{ domain: '', version: 13 }], graph };
  return onnx.ModelProto.encode(onnx.ModelProto.create(modelProto)).finish();
}

// Checkpoint tensors as graph initializers whose bytes stay in the safetensors file: each is
// an external-data TensorProto (location = the weight file's plain name, offset = where the
// tensor starts in it, length = its size), so the graph is a few kilobytes and onnxruntime
// maps the weights straight from the checkpoint. Half-precision tensors go through a Cast to
// float32, which onnxruntime's constant folding runs once when the session is created
// (its CPU kernels have no bfloat16 MatMul).
import { FileError } from '../fileError';
import { GraphBuilder } from '../onnx/builder';
import { DataType, DATA_LOCATION_EXTERNAL, type TensorMsg } from '../onnx/schema';
import type { WeightRef } from '../safetensors';

const ONNX_TYPE: Record<string, number> = { F32: DataType.FLOAT, F16: DataType.FLOAT16, BF16: DataType.BFLOAT16 };

const dims = (s: readonly number[]): string => `[${s.join(', ')}]`;

export class WeightBinder {
  private readonly bound = new Map<string, string>();

  /** `label` names the checkpoint (its model.safetensors or index) in messages about absent tensors. */
  constructor(
    private readonly g: GraphBuilder,
    private readonly tensors: ReadonlyMap<string, WeightRef>,
    private readonly label: string,
  ) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Tensor `name`, checked to be there, to have `shape` and a float dtype we compute with. */
  check(name: string, shape: readonly number[]): WeightRef {
    const t = this.tensors.get(name);
    if (!t) throw new FileError(this.label, `tensor ${name} is missing; config.json implies it, with shape ${dims(shape)}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FileError(t.file, `tensor ${name} has shape ${dims(t.shape)}; config.json implies ${dims(shape)}`);
    }
    if (ONNX_TYPE[t.dtype] === undefined) throw new FileError(t.file, `tensor ${name} is ${t.dtype}; expected F32, F16 or BF16 weights`);
    return t;
  }

  /** The float32 value of tensor `name` in the graph, checked as `check` does. */
  take(name: string, shape: readonly number[]): string {
    const known = this.bound.get(name);
    if (known) return known;
    const t = this.check(name, shape);
    const type = ONNX_TYPE[t.dtype]!;
    const init: TensorMsg = {
      name,
      dims: [...t.shape],
      dataType: type,
      dataLocation: DATA_LOCATION_EXTERNAL,
      externalData: [
        { key: 'location', value: t.fileName },
        { key: 'offset', value: String(t.start) },
        { key: 'length', value: String(t.end - t.start) },
      ],
    };
    this.g.initializers.push(init);
    const value = type === DataType.FLOAT ? name : this.g.node('Cast', [name], { to: DataType.FLOAT });
    this.bound.set(name, value);
    return value;
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { GraphBuilder, modelMsg } from '../../../src/core/onnx/builder';
import { appendGraphFragment, decodeModel, encodeGraphFragment, encodeModel } from '../../../src/core/onnx/encode';
import { constantLogitsModel, gpt2Model, writeModel, type Gpt2Options } from '../../../src/core/onnx/models';
import { DataType, dataTypeName, type ValueInfo } from '../../../src/core/onnx/schema';
import {
  OnnxFormatError,
  readSignature,
  readSignatureFrom,
  readSignatureFromBytes,
  type TensorSignature,
} from '../../../src/core/onnx/readSignature';
import { bytesSource } from '../../../src/core/onnx/wire';
import { tempDir } from '../../support/temp';

const tiny: Gpt2Options = { layers: 2, width: 16, heads: 2, vocab: 30, context: 8, seed: 1 };

/** The same facts from protobufjs's full decode: an independent reading to compare with. */
function viaProtobufjs(v: ValueInfo): TensorSignature {
  const t = v.type.tensorType;
  return {
    name: v.name,
    kind: 'tensor',
    elemType: t.elemType,
    elemTypeName: dataTypeName(t.elemType),
    shape: t.shape ? t.shape.dim.map((d) => d.dimValue ?? d.dimParam ?? null) : null,
  };
}

test('the signature of every GPT-2 variant agrees with a full protobufjs decode', () => {
  for (const v of [{}, { positionIds: true }, { past: true }, { merged: true, float16Logits: true }]) {
    const bytes = gpt2Model({ ...tiny, ...v }).model;
    const sig = readSignatureFromBytes(bytes, 'variant.onnx');
    const m = decodeModel(bytes);
    assert.deepEqual(sig.inputs, m.graph.input!.map(viaProtobufjs));
    assert.deepEqual(sig.outputs, m.graph.output!.map(viaProtobufjs));
    assert.equal(sig.irVersion, 8);
    assert.deepEqual(sig.opsetImports, [{ domain: '', version: 17 }]);
    assert.deepEqual(sig.metadata, { max_position_embeddings: '8' });
    assert.deepEqual(sig.externalDataFiles, []);
  }
  const merged = readSignatureFromBytes(gpt2Model({ ...tiny, merged: true, float16Logits: true }).model);
  assert.deepEqual(
    merged.inputs.map((i) => i.name),
    [
      'input_ids',
      'attention_mask',
      'past_key_values.0.key',
      'past_key_values.0.value',
      'past_key_values.1.key',
      'past_key_values.1.value',
      'use_cache_branch',
    ],
  );
  assert.deepEqual(merged.inputs[2]!.shape, ['batch_size', 2, 'past_sequence_length', 8]);
  assert.equal(merged.outputs[0]!.elemTypeName, 'FLOAT16');
  assert.equal(merged.inputs[6]!.elemTypeName, 'BOOL');
});

test("nodes and initializer dims agree with a full protobufjs decode, for our writer's and torch.onnx.export's bytes", () => {
  const exported = readFileSync(join(__dirname, '..', '..', 'fixtures', 'exports', 'dynamic.onnx'));
  for (const bytes of [gpt2Model({ ...tiny, positionIds: true }).model, exported]) {
    const sig = readSignatureFromBytes(bytes, 'model.onnx');
    type Attr = { name: string; i?: number; type?: number };
    type Node = { opType: string; domain?: string; input?: string[]; output?: string[]; attribute?: Attr[] };
    const g = decodeModel(bytes).graph as unknown as { node: Node[]; initializer: { name: string; dims?: number[] }[] };
    assert.deepEqual(
      sig.nodes,
      g.node.map((n) => ({
        op: n.opType,
        domain: n.domain ?? '',
        inputs: n.input ?? [],
        outputs: n.output ?? [],
        // Integer attributes only (AttributeProto.type INT = 2).
        ints: Object.fromEntries((n.attribute ?? []).filter((a) => a.i !== undefined && a.type === 2).map((a) => [a.name, a.i])),
      })),
    );
    assert.deepEqual(
      [...sig.initializerDims],
      g.initializer.map((t) => [t.name, t.dims ?? []]),
    );
    assert.ok(sig.nodes.length > 20);
  }
});

test('readSignature reads a file with external data and names the data file', (t) => {
  const dir = tempDir(t);
  writeModel(dir, 'model.onnx', gpt2Model({ ...tiny, externalData: true }));
  const sig = readSignature(join(dir, 'model.onnx'));
  assert.equal(sig.file, join(dir, 'model.onnx'));
  assert.deepEqual(sig.externalDataFiles, ['model.onnx_data']);
  assert.deepEqual(
    sig.outputs.map((o) => [o.name, o.shape]),
    [['logits', ['batch_size', 'sequence_length', 30]]],
  );
  assert.throws(
    () => readSignature(join(dir, 'missing.onnx')),
    (e: Error) => e.message.includes(join(dir, 'missing.onnx')),
  );
});

test('the weights are stepped over, not read', () => {
  const bytes = gpt2Model({ ...tiny, vocab: 4000, width: 64, heads: 4 }).model;
  let read = 0;
  const src = bytesSource(bytes, 'big.onnx');
  const counting = {
    ...src,
    read: (pos: number, len: number) => {
      read += len;
      return src.read(pos, len);
    },
  };
  assert.equal(readSignatureFrom(counting).inputs.length, 2);
  assert.ok(read < bytes.length / 50, `read ${read} of ${bytes.length} bytes`);
});

test('inputs that are initializers (IR < 4 style) are left out; appended fragments merge', () => {
  const g = new GraphBuilder('g');
  g.input('x', DataType.FLOAT, [2]);
  g.input('w', DataType.FLOAT, [2]);
  g.initializer('w', DataType.FLOAT, [2], Float32Array.from([1, 2]));
  g.node('Add', ['x', 'w'], {}, 'y');
  g.output('y', DataType.FLOAT, [2]);
  const sig = readSignatureFromBytes(encodeModel(modelMsg(g.graph(), { opset: 17, irVersion: 3 })));
  assert.deepEqual(
    sig.inputs.map((i) => i.name),
    ['x'],
  );

  const head = new GraphBuilder('head');
  head.input('labels', DataType.INT64, ['batch_size', 'sequence_length']);
  head.node('LogSoftmax', ['logits'], { axis: -1 }, 'logprobs');
  head.output('logprobs', DataType.FLOAT, ['batch_size', 'sequence_length', 4]);
  const { name: _n, ...frag } = head.graph();
  const both = readSignatureFromBytes(appendGraphFragment(constantLogitsModel({ logits: [1, 2, 3, 4] }).model, encodeGraphFragment(frag)));
  assert.deepEqual(
    both.inputs.map((i) => i.name),
    ['input_ids', 'attention_mask', 'labels'],
  );
  assert.deepEqual(
    both.outputs.map((o) => o.name),
    ['logits', 'logprobs'],
  );
});

test('every truncation of a model is a clear error naming the file', () => {
  const bytes = constantLogitsModel({ logits: [0.5, 1.5, -2] }).model;
  assert.ok(readSignatureFromBytes(bytes, 'ok.onnx'));
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(
      () => readSignatureFromBytes(bytes.subarray(0, n), 'cut.onnx'),
      (e: Error) => e instanceof OnnxFormatError && e.message.startsWith('cut.onnx: not a readable ONNX model: '),
      `prefix of ${n} bytes`,
    );
  }
  assert.throws(() => readSignatureFromBytes(new Uint8Array(0), 'empty.onnx'), /empty\.onnx: .*the file is empty/);
  assert.throws(() => readSignatureFromBytes(new TextEncoder().encode('{"not": "onnx"}'), 'x.json'), /x\.json: .*wire type/);
});

test('garbage bytes give an OnnxFormatError or a signature, never another failure', () => {
  const model = constantLogitsModel({ logits: [1, 2] }).model;
  let read = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        // Flip bytes of a real model so the walk goes deep before it meets the damage.
        fc.array(fc.tuple(fc.nat(model.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
          const b = model.slice();
          for (const [i, v] of flips) b[i] = v;
          return b;
        }),
      ),
      (bytes) => {
        try {
          readSignatureFromBytes(bytes, 'fuzz.onnx');
          read++;
        } catch (e) {
          if (!(e instanceof OnnxFormatError) || !e.message.startsWith('fuzz.onnx: ')) throw e;
          refused++;
        }
      },
    ),
    { numRuns: 2000 },
  );
  // Both outcomes occur: a reader that refused everything would pass the property alone.
  assert.ok(read > 0 && refused > 0, `${read} read, ${refused} refused`);
});

test('a file that is not a model fails with its path', (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'model.onnx');
  writeFileSync(p, new Uint8Array([0x08, 0x96]));
  assert.throws(
    () => readSignature(p),
    (e: Error) => e instanceof OnnxFormatError && e.message.startsWith(`${p}: `) && /truncated/.test(e.message),
  );
});

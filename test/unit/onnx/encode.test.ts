import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, modelMsg, tensor, valueInfo } from '../../../src/core/onnx/builder';
import { appendGraphFragment, decodeModel, encodeGraphFragment, encodeModel } from '../../../src/core/onnx/encode';
import { externalize } from '../../../src/core/onnx/external';
import { bigramModel, constantLogitsModel, IR_VERSION, OPSET } from '../../../src/core/onnx/models';
import { AttributeType, DataType, DATA_LOCATION_EXTERNAL, ModelProtoType } from '../../../src/core/onnx/schema';

function floats(raw: Uint8Array | undefined): number[] {
  assert.ok(raw);
  const copy = new Uint8Array(raw); // decoded bytes are Buffer views into the message
  return Array.from(new Float32Array(copy.buffer, 0, copy.length / 4));
}

test('a built graph round-trips through protobufjs decode', () => {
  const g = new GraphBuilder('g');
  const x = g.input('x', DataType.FLOAT, ['batch', 3]);
  const w = g.initializer('w', DataType.FLOAT, [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
  const y = g.node('MatMul', [x, w]);
  g.node('Softmax', [y], { axis: 0 }, 'y');
  g.node('LayerNormalization', [x, w], { epsilon: { f: 0.5 }, axis: -1 }, 'z');
  g.output('y', DataType.FLOAT, ['batch', 2]);
  const bytes = encodeModel(modelMsg(g.graph(), { opset: 17, irVersion: 8, metadata: { k: 'v' } }));
  const m = decodeModel(bytes);
  assert.equal(m.irVersion, 8);
  assert.deepEqual(m.opsetImport, [{ domain: '', version: 17 }]);
  assert.deepEqual(m.metadataProps, [{ key: 'k', value: 'v' }]);
  assert.equal(m.graph.name, 'g');
  assert.deepEqual(m.graph.input, [valueInfo('x', DataType.FLOAT, ['batch', 3])]);
  assert.deepEqual(m.graph.input![0]!.type.tensorType.shape!.dim, [{ dimParam: 'batch' }, { dimValue: 3 }]);
  assert.deepEqual(
    m.graph.node.map((n) => n.opType),
    ['MatMul', 'Softmax', 'LayerNormalization'],
  );
  const init = m.graph.initializer![0]!;
  assert.deepEqual(init.dims, [3, 2]);
  assert.equal(init.dataType, DataType.FLOAT);
  assert.deepEqual(floats(init.rawData), [1, 2, 3, 4, 5, 6]);
  // proto2 presence: an INT attribute equal to 0 is still on the wire.
  assert.deepEqual(m.graph.node[1]!.attribute, [{ name: 'axis', type: AttributeType.INT, i: 0 }]);
  const [eps, axis] = m.graph.node[2]!.attribute!;
  assert.equal(eps!.type, AttributeType.FLOAT);
  assert.equal(eps!.f, 0.5);
  assert.equal(axis!.i, -1);
});

test('a graph fragment appended to model bytes merges into its graph', () => {
  const base = constantLogitsModel({ logits: [0, 1, 2] });
  const frag = new GraphBuilder('ignored');
  frag.input('labels', DataType.INT64, ['batch_size', 'sequence_length']);
  frag.node('LogSoftmax', ['logits'], { axis: -1 }, 'logprobs');
  frag.output('logprobs', DataType.FLOAT, ['batch_size', 'sequence_length', 3]);
  const { name: _omit, ...g } = frag.graph();
  const merged = decodeModel(appendGraphFragment(base.model, encodeGraphFragment(g)));
  const before = decodeModel(base.model);
  assert.equal(merged.graph.name, before.graph.name);
  assert.equal(merged.irVersion, IR_VERSION);
  assert.deepEqual(merged.opsetImport, [{ domain: '', version: OPSET }]);
  assert.deepEqual(
    merged.graph.input!.map((i) => i.name),
    ['input_ids', 'attention_mask', 'labels'],
  );
  assert.deepEqual(
    merged.graph.output!.map((i) => i.name),
    ['logits', 'logprobs'],
  );
  assert.equal(merged.graph.node.length, before.graph.node.length + 1);
  // The fragment alone carries no model-level fields.
  const alone = decodeModel(encodeGraphFragment(g));
  assert.equal(alone.irVersion, undefined);
  assert.equal(alone.opsetImport, undefined);
  assert.equal(alone.graph.name, undefined);
});

test('externalize moves large weights out, aligned, and keeps small ones inline', () => {
  const big = new Float32Array(1000).map((_, i) => i);
  const g = new GraphBuilder('g');
  g.initializer('small', DataType.INT64, [2], BigInt64Array.from([1n, 2n]));
  g.initializer('a', DataType.FLOAT, [1000], big);
  g.initializer('b', DataType.FLOAT, [1000], big);
  const graph = g.graph();
  const data = externalize(graph, 'w.bin');
  const m = decodeModel(encodeModel(modelMsg(graph, { opset: 17, irVersion: 8 })));
  const [small, a, b] = m.graph.initializer!;
  assert.ok(small!.rawData);
  for (const [t, offset] of [
    [a!, 0],
    [b!, 4096],
  ] as const) {
    assert.equal(t.rawData, undefined);
    assert.equal(t.dataLocation, DATA_LOCATION_EXTERNAL);
    assert.deepEqual(t.externalData, [
      { key: 'location', value: 'w.bin' },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: '4000' },
    ]);
    assert.deepEqual(new Float32Array(data.slice(offset, offset + 4000).buffer), big);
  }
  assert.equal(data.length, 4096 + 4000);
});

test('the bigram model stores its table exactly and checks its size', () => {
  const table = Float32Array.from([0.5, -1, 3, 7]);
  const m = decodeModel(bigramModel({ table, vocab: 2 }).model);
  assert.deepEqual(floats(m.graph.initializer![0]!.rawData), [0.5, -1, 3, 7]);
  assert.deepEqual(
    m.graph.output!.map((o) => o.name),
    ['logits'],
  );
  assert.throws(() => bigramModel({ table, vocab: 3 }), /expected vocab² = 9/);
  assert.throws(() => tensor('t', DataType.FLOAT, [3], new Float32Array(2)), /tensor t: 2 values/);
});

test('the hand-framed encoding decodes like protobufjs encoding the same message', () => {
  const g = new GraphBuilder('g');
  g.input('ids', DataType.INT64, ['b', 0]);
  g.initializer(
    'w',
    DataType.FLOAT,
    [300],
    new Float32Array(300).map((_, i) => i / 7),
  );
  g.initializer('e', DataType.FLOAT, [0], new Float32Array(0));
  g.initializer('x', DataType.INT64, [1], BigInt64Array.from([5n]));
  g.graph().initializer![2]!.externalData = [{ key: 'location', value: 'x.bin' }];
  g.node('Identity', ['w'], {}, 'y');
  const m = modelMsg(g.graph(), { opset: 17, irVersion: 8, metadata: { a: 'b' } });
  // Copies into plain Uint8Arrays, so both decode their bytes fields to the same class.
  const ours = decodeModel(new Uint8Array(encodeModel(m)));
  const theirs = decodeModel(new Uint8Array(ModelProtoType.encode(m).finish()));
  assert.deepEqual(ours, theirs);
  assert.deepEqual(ours.graph.input![0]!.type.tensorType.shape!.dim, [{ dimParam: 'b' }, { dimValue: 0 }]);
});

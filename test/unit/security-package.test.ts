// Settings that can run code or reach files outside the workspace are restricted in untrusted
// workspaces (VS Code then ignores the workspace's values of them): the eval set, reference
// model and store paths, and the execution provider (which loads native CUDA/WebGPU libraries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Property {
  type?: string;
  description?: string;
  markdownDescription?: string;
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported?: boolean | 'limited'; restrictedConfigurations?: string[]; description?: string } };
  contributes: { configuration: { properties: Record<string, Property> } };
};
const properties = pkg.contributes.configuration.properties;
const untrusted = pkg.capabilities?.untrustedWorkspaces;
const restricted = new Set(untrusted?.restrictedConfigurations ?? []);

test("untrusted workspaces are supported in a 'limited' way, with a reason", () => {
  assert.equal(untrusted?.supported, 'limited');
  assert.match(untrusted?.description ?? '', /trust/i);
});

test('the settings that name files or load native code are restricted', () => {
  for (const name of ['evalSet', 'reference', 'storeLocation', 'executionProvider']) {
    assert.ok(restricted.has(`checkpointCoverage.${name}`), `checkpointCoverage.${name} is in restrictedConfigurations`);
  }
});

test('any string setting that takes a path or a model is restricted (a guard for settings added later)', () => {
  for (const [name, p] of Object.entries(properties)) {
    const text = `${p.description ?? ''} ${p.markdownDescription ?? ''}`;
    if (p.type === 'string' && /\bpath\b|\babsolute\b|\.onnx\b|^\s*folder for\b/i.test(text)) {
      assert.ok(restricted.has(name), `${name} names files ("${text.trim().slice(0, 80)}…") and must be restricted`);
    }
  }
});

test('every restricted name is a real setting (no typo leaves one open)', () => {
  for (const name of restricted) assert.ok(name in properties, `${name} is a contributed setting`);
});

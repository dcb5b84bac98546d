// Execution providers: which ones to try for a setting, and a session on the first that
// works. `auto` tries CUDA when its provider library is installed, then WebGPU when the machine
// has a GPU device, then the CPU. Every attempt is recorded with the reason it was not used.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ScoreError } from '../core/scoreError';
import type { ProviderAttempt, ProviderName, ProviderSetting } from '../core/store';

export interface SessionSettings {
  /** Folder that external weight files are resolved against (the model's own folder). */
  weightsDir: string;
  allowSpinning: boolean;
  intraOpThreads: number;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: ProviderName;
}

/** The folder holding onnxruntime-node's native libraries (where the CUDA provider is installed). */
function ortNativeDir(): string | undefined {
  try {
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    return join(root, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** Why a provider is not worth trying here, or undefined when it is. */
function providerUnavailable(p: ProviderName, forAuto: boolean): string | undefined {
  if (p === 'cpu') return undefined;
  if (p === 'cuda') {
    if (process.platform !== 'linux' && process.platform !== 'win32')
      return `CUDA is not offered by onnxruntime-node on ${process.platform}`;
    const dir = ortNativeDir();
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (!dir || !existsSync(join(dir, lib))) {
      return `the CUDA provider library (${lib}) is not installed; install it with ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install`;
    }
    return undefined;
  }
  // WebGPU: on Linux without any GPU device node, Dawn could only find a software rasterizer,
  // which is slower than the CPU provider. Asked for explicitly, it is tried anyway.
  if (forAuto && process.platform === 'linux' && !hasLinuxGpuDevice()) {
    return 'no GPU device (/dev/dri/renderD*, /dev/nvidia*) on this machine; a software Vulkan driver would be slower than the CPU';
  }
  return undefined;
}

function hasLinuxGpuDevice(): boolean {
  try {
    if (readdirSync('/dev/dri').some((n) => n.startsWith('renderD'))) return true;
  } catch {
    // no /dev/dri
  }
  return existsSync('/dev/nvidia0');
}

/** The providers to try, in order, for a setting. The CPU is always last: it never fails the job. */
function providerOrder(setting: ProviderSetting): ProviderName[] {
  switch (setting) {
    case 'auto':
      return ['cuda', 'webgpu', 'cpu'];
    case 'cpu':
      return ['cpu'];
    default:
      return [setting, 'cpu'];
  }
}

export function sessionOptions(provider: ProviderName, s: SessionSettings): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: {
      session: {
        // A model loaded from bytes has no folder of its own: this is where its weight files are.
        model_external_initializers_file_folder_path: s.weightsDir,
        intra_op: { allow_spinning: s.allowSpinning ? '1' : '0' },
        inter_op: { allow_spinning: s.allowSpinning ? '1' : '0' },
      },
    },
  };
  // The binding rejects an explicit undefined: leave the key out to let onnxruntime choose.
  if (s.intraOpThreads > 0) options.intraOpNumThreads = s.intraOpThreads;
  return options;
}

/** Opens a session on the first provider that works, recording every attempt. */
export async function openSession(
  model: Uint8Array,
  setting: ProviderSetting,
  s: SessionSettings,
  attempts: ProviderAttempt[],
): Promise<OpenedSession> {
  let lastError: unknown;
  for (const provider of providerOrder(setting)) {
    const why = providerUnavailable(provider, setting === 'auto');
    if (why) {
      attempts.push({ provider, ok: false, reason: why });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, sessionOptions(provider, s));
      attempts.push({ provider, ok: true });
      return { session, provider };
    } catch (e) {
      lastError = e;
      attempts.push({ provider, ok: false, reason: `session creation failed: ${(e as Error).message}` });
      // The CPU provider failing means the model itself does not load: no point going on.
      if (provider === 'cpu') break;
    }
  }
  throw new ScoreError({
    kind: 'bad-model',
    message: `the model does not load: ${(lastError as Error | undefined)?.message ?? attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}`,
  });
}

// worker_threads entry: owns the ONNX sessions. Filled in by the scoring engine.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {});

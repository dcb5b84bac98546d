// The run-folder contract: which files of a run are checkpoints (scan.ts, with the naming rules in
// naming.ts, Hugging Face folders in hfCheckpoint.ts and the folder walk in walk.ts), and the
// entry for a reference model (reference.ts).
export * from './scan';
export { modelLabel } from './hfCheckpoint';
export { referenceEntry } from './reference';

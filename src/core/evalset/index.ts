// The evaluation set: loading a whole eval.jsonl (loadEvalSet.ts) from its lines (readLines.ts), each
// parsed on its own (parseLine.ts).
export * from './loadEvalSet';
export { parseEvalLine } from './parseLine';
export { sampleName } from './sampleName';

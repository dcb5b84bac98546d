// The metrics' public surface (defined in docs/metrics.md): import from here rather than the files.
export * from './wilson';
export * from './samples';
export * from './crossEntropy';
export * from './coverage';
export * from './kl';
export * from './passAt';
export * from './references';
export * from './checkpoint';
export * from './byLength';

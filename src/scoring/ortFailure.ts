// The foreign-library boundary. onnxruntime-node reports a failed session.run as a plain Error
// whose only structure is its text (a C++ status message). This is the one place in the project
// that reads such text, and it asks one question: did an allocation fail? A batch that does not
// fit in memory may fit when smaller, which the scorer then tries; every other failure is worded
// by what we know (the plan, the feeds, the sample), with onnxruntime's text kept for the log.

/**
 * Whether onnxruntime failed to allocate memory: its arena's "Failed to allocate memory for
 * requested buffer", a memory limit's "Available memory of … is smaller than requested bytes",
 * C++'s bad_alloc, or a device provider's "out of memory".
 */
export function isOutOfMemory(e: unknown): boolean {
  return /Failed to allocate memory|Available memory of \d+ is smaller than requested|bad_alloc|out of memory/i.test(onnxruntimeText(e));
}

/** onnxruntime's own words, for the log (never for a message the user reads as ours). */
export function onnxruntimeText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).trim();
}

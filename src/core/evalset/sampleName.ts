// How messages name an eval sample. Its own file, free of node built-ins, so that the report
// (whose types the webview's DOM-only type check follows) can name skipped samples too.

/** The one way messages name a sample: `file:line`, with ` (id X)` when the line has an id. */
export function sampleName(file: string, s: { line: number; id?: string }): string {
  return `${file}:${s.line}${s.id !== undefined ? ` (id ${s.id})` : ''}`;
}

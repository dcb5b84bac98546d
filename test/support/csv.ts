// Reading back the CSV we write (`report --csv`, the extension's export), independently of the
// writer in src/core/report/render.ts: RFC 4180, strict, so a malformed file fails the test that
// reads it instead of being read some lenient way.

/**
 * Rows of cells. Quoted cells may hold commas, doubled quotes and line breaks; a record ends at
 * LF or CRLF, and a last record without a line break still counts. Throws on a quote inside an
 * unquoted cell, text after a closing quote, or a quote left open.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false; // inside a quoted cell
  let opened = 0; // where it began
  let closed = false; // just past a quoted cell's closing quote
  const fail = (i: number, why: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new Error(`CSV line ${line}: ${why}`);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else {
        quoted = false;
        closed = true;
      }
      continue;
    }
    if (c === ',') {
      row.push(cell);
      cell = '';
      closed = false;
      continue;
    }
    if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      closed = false;
      continue;
    }
    if (closed) fail(i, `text after a closing quote: ${JSON.stringify(text.slice(i, i + 20))}`);
    if (c === '"') {
      if (cell !== '') fail(i, `a quote inside an unquoted cell: ${JSON.stringify(cell + '"')}`);
      quoted = true;
      opened = i;
      continue;
    }
    cell += c;
  }
  if (quoted) fail(opened, 'a quoted cell is never closed');
  if (cell !== '' || closed || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

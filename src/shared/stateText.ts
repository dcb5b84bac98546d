// A checkpoint's state in words, the same in the tree, the panel's table and `checkpoint-coverage
// runs`: "scoring elsewhere (host · pid 123 · since 14:05:09Z)", "failed: <reason>".
import type { CheckpointRow, ScoringElsewhere } from './protocol';

/** `scoring elsewhere (host · pid N · since T)`. */
export function elsewhereText(h: ScoringElsewhere): string {
  return `scoring elsewhere (${h.host} · pid ${h.pid}${h.since ? ` · since ${h.since}` : ''})`;
}

export function stateText(row: Pick<CheckpointRow, 'state' | 'reason' | 'elsewhere'>): string {
  if (row.state === 'failed' && row.reason) return `failed: ${row.reason}`;
  if (row.state === 'elsewhere' && row.elsewhere) return elsewhereText(row.elsewhere);
  return row.state;
}

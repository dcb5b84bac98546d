// The two shell-text jobs a batch script needs: quoting a value into a POSIX shell command, and
// splitting a user's `--extra "…"` string into words the way a shell would (quotes and
// backslashes, no expansions), so the words reach sbatch as separate arguments.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word that stands for `s` exactly: as is when plain, else single-quoted. */
export function shellQuote(s: string): string {
  return PLAIN.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export type ShellWords = { ok: true; words: string[] } | { ok: false; reason: string };

/**
 * POSIX word splitting without expansions: blanks separate words; '…' keeps everything; "…"
 * keeps everything but lets a backslash escape ", \, $ and `; a backslash outside quotes
 * escapes the next character. `$`, backquotes and globs are taken literally (nothing is run).
 */
export function splitShellWords(s: string): ShellWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return { ok: false, reason: `unclosed ' in ${JSON.stringify(s)}` };
      word += s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) j++;
        word += s[j];
      }
      if (j >= s.length) return { ok: false, reason: `unclosed " in ${JSON.stringify(s)}` };
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= s.length) return { ok: false, reason: `a lone \\ ends ${JSON.stringify(s)}` };
      word += s[++i];
    } else word += c;
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}

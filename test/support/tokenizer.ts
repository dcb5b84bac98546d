// tokenizer.json files for tests that need real text tokenization: one builder of the BPE layout
// the loader reads, and the tiny tokenizer the unit tests share.

export interface BpeTokenizer {
  vocab: Record<string, number>;
  merges?: string[];
  preTokenizer?: object | null;
  postProcessor?: object | null;
  addedTokens?: object[];
}

/** A tokenizer.json (as a value to JSON.stringify) of a BPE model over `vocab`, `<unk>` as its unknown token. */
export function bpeTokenizerJson(t: BpeTokenizer): object {
  return {
    version: '1.0',
    added_tokens: t.addedTokens ?? [],
    normalizer: null,
    pre_tokenizer: t.preTokenizer ?? null,
    post_processor: t.postProcessor ?? null,
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab: t.vocab,
      merges: t.merges ?? [],
    },
  };
}

/** A BPE over a few letters with merges up to "hello", whitespace split, and a BOS template. */
export function tinyTokenizerJson(): object {
  return bpeTokenizerJson({
    addedTokens: [{ id: 0, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    preTokenizer: { type: 'WhitespaceSplit' },
    // A template that would add <s>: the loader must not apply it.
    postProcessor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
    },
    vocab: { '<s>': 0, '<unk>': 1, h: 2, e: 3, l: 4, o: 5, he: 6, ll: 7, hell: 8, hello: 9, w: 10, r: 11, d: 12 },
    merges: ['h e', 'l l', 'he ll', 'hell o'],
  });
}

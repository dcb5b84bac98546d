// A tiny tokenizer.json for tests that need real text tokenization.

/** A BPE over a few letters with merges up to "hello", whitespace split, and a BOS template. */
export function tinyTokenizerJson(): object {
  return {
    version: '1.0',
    added_tokens: [{ id: 0, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    // A template that would add <s>: the loader must not apply it.
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
    },
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab: { '<s>': 0, '<unk>': 1, h: 2, e: 3, l: 4, o: 5, he: 6, ll: 7, hell: 8, hello: 9, w: 10, r: 11, d: 12 },
      merges: ['h e', 'l l', 'he ll', 'hell o'],
    },
  };
}

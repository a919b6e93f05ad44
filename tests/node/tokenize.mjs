// Tokenises texts with Hugging Face's JavaScript tokenizer (@huggingface/tokenizers, the one transformers.js uses) from
// an exported folder's tokenizer.json and tokenizer_config.json, as a web or Node app would.
// usage: node tokenize.mjs <folder> <texts.json>
//   texts.json: an array of items, each a string or a [text, text_pair] array
// prints [{"ids": [...], "token_type_ids": [...]}, ...], special tokens included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const [folder, textsPath] = process.argv.slice(2);
if (!folder || !textsPath) {
  console.error('usage: node tokenize.mjs <folder> <texts.json>');
  process.exit(2);
}
const read = (name) => JSON.parse(readFileSync(join(folder, name), 'utf8'));
const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
const out = JSON.parse(readFileSync(textsPath, 'utf8')).map((item) => {
  const [text, pair] = Array.isArray(item) ? item : [item, null];
  const e = tokenizer.encode(text, { text_pair: pair, return_token_type_ids: true });
  return { ids: Array.from(e.ids, Number), token_type_ids: Array.from(e.token_type_ids, Number) };
});
console.log(JSON.stringify(out));

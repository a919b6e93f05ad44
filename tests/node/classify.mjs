// Logits of an exported sequence classifier through transformers.js (AutoTokenizer + AutoModelForSequenceClassification),
// as a web or Node app would run a cross-encoder on (text, text_pair) pairs.
// usage: node classify.mjs <folder> <pairs.json>   (pairs.json: [[text, pair], ...])
// prints {"dims": [n, K], "data": [...]}.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AutoTokenizer, AutoModelForSequenceClassification, env } from '@huggingface/transformers';

const [folder, pairsPath] = process.argv.slice(2);
if (!folder || !pairsPath) {
  console.error('usage: node classify.mjs <folder> <pairs.json>');
  process.exit(2);
}
env.allowRemoteModels = false;
env.localModelPath = dirname(folder) + '/';
const id = basename(folder);
const tokenizer = await AutoTokenizer.from_pretrained(id);
const model = await AutoModelForSequenceClassification.from_pretrained(id, { dtype: 'fp32' });
const pairs = JSON.parse(readFileSync(pairsPath, 'utf8'));
const inputs = tokenizer(pairs.map((p) => p[0]), { text_pair: pairs.map((p) => p[1]), padding: true });
const { logits } = await model(inputs);
console.log(JSON.stringify({ dims: logits.dims, data: Array.from(logits.data) }));

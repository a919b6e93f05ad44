// Greedy generation from an exported encoder-decoder through transformers.js (AutoModelForSeq2SeqLM: onnx/encoder_model.onnx
// and onnx/decoder_model_merged.onnx with its key/value cache), from source ids.
// usage: node generate.mjs <folder> <sources.json> <max_new_tokens>   (sources.json: [[ids...], ...])
// prints [[generated ids, decoder start first], ...].
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AutoModelForSeq2SeqLM, Tensor, env } from '@huggingface/transformers';

const [folder, sourcesPath, maxNew] = process.argv.slice(2);
if (!folder || !sourcesPath || !maxNew) {
  console.error('usage: node generate.mjs <folder> <sources.json> <max_new_tokens>');
  process.exit(2);
}
env.allowRemoteModels = false;
env.localModelPath = dirname(folder) + '/';
const model = await AutoModelForSeq2SeqLM.from_pretrained(basename(folder), { dtype: 'fp32' });
const out = [];
for (const ids of JSON.parse(readFileSync(sourcesPath, 'utf8'))) {
  const input_ids = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const attention_mask = new Tensor('int64', BigInt64Array.from(ids.map(() => 1n)), [1, ids.length]);
  const generated = await model.generate({ input_ids, attention_mask, max_new_tokens: Number(maxNew), do_sample: false, num_beams: 1 });
  out.push(Array.from(generated.data, Number));
}
console.log(JSON.stringify(out));

// Text in, text out through transformers.js' text2text-generation pipeline (tokenizer.json, onnx/encoder_model.onnx,
// onnx/decoder_model_merged.onnx, generation_config.json), greedy.
// usage: node text2text.mjs <folder> <texts.json> <max_new_tokens>
// prints ["generated text", ...].
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pipeline, env } from '@huggingface/transformers';

const [folder, textsPath, maxNew] = process.argv.slice(2);
if (!folder || !textsPath || !maxNew) {
  console.error('usage: node text2text.mjs <folder> <texts.json> <max_new_tokens>');
  process.exit(2);
}
env.allowRemoteModels = false;
env.localModelPath = dirname(folder) + '/';
const generator = await pipeline('text2text-generation', basename(folder), { dtype: 'fp32' });
const out = [];
for (const text of JSON.parse(readFileSync(textsPath, 'utf8'))) {
  const [result] = await generator(text, { max_new_tokens: Number(maxNew), do_sample: false, num_beams: 1 });
  out.push(result.generated_text);
}
console.log(JSON.stringify(out));

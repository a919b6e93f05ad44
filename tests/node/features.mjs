// Sentence embeddings from an exported folder in transformers.js' feature-extraction pipeline, as a web or Node app
// would compute them (onnx/model.onnx, tokenizer.json, config.json).
// usage: node features.mjs <folder> <texts.json> <mean|cls> <true|false: L2-normalise>
// prints {"dims": [n, H], "data": [...]}.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pipeline, env } from '@huggingface/transformers';

const [folder, textsPath, pooling, normalize] = process.argv.slice(2);
if (!folder || !textsPath || !pooling) {
  console.error('usage: node features.mjs <folder> <texts.json> <mean|cls> <true|false>');
  process.exit(2);
}
env.allowRemoteModels = false;
env.localModelPath = dirname(folder) + '/';
const extractor = await pipeline('feature-extraction', basename(folder), { dtype: 'fp32' });
const out = await extractor(JSON.parse(readFileSync(textsPath, 'utf8')), { pooling, normalize: normalize === 'true' });
console.log(JSON.stringify({ dims: out.dims, data: Array.from(out.data) }));

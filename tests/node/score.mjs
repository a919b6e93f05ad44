// Runs an exported OnnxPretrain model with onnxruntime-node, as a Hugging Face-style app would.
// usage: node score.mjs <model.onnx> <inputs.json>
//   inputs.json: {"input_ids": [[...], ...], "attention_mask": [[...]], "token_type_ids": [[...]]} (int64 rows, equal lengths)
// prints {"<output name>": {"dims": [...], "data": [...]}, ...} for every model output.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, inputsPath] = process.argv.slice(2);
if (!modelPath || !inputsPath) {
  console.error('usage: node score.mjs <model.onnx> <inputs.json>');
  process.exit(2);
}
const inputs = JSON.parse(readFileSync(inputsPath, 'utf8'));
const session = await ort.InferenceSession.create(modelPath);
const feeds = {};
for (const name of session.inputNames) {
  const rows = inputs[name];
  if (!rows) throw new Error(`inputs.json has no '${name}'`);
  const flat = BigInt64Array.from(rows.flat().map(BigInt));
  feeds[name] = new ort.Tensor('int64', flat, [rows.length, rows[0].length]);
}
const results = await session.run(feeds);
const out = {};
for (const [name, tensor] of Object.entries(results)) out[name] = { dims: tensor.dims, data: Array.from(tensor.data) };
console.log(JSON.stringify(out));

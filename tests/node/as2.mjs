// Scores AS2 candidates with an exported joint or contextual model, building the rows from the input contract that the
// README documents (not from our C# code): Hugging Face's JavaScript tokenizer reads tokenizer.json, onnxruntime-node runs
// model.onnx. config.json says which contract the folder has:
//   "joint_candidates": {"head", "candidates": k, "segment_length": S}: rows of k + 1 segments of exactly S tokens,
//       [CLS] text [SEP] [PAD]... (question first), token_type_ids = segment index, attention_mask 0 at [PAD]; a question's
//       candidates in file order in chunks of k, the last chunk filled with empty slots ([CLS] [SEP] + padding);
//       logits (rows, k) = one score per candidate.
//   "contextual_as2": true: [CLS] q [SEP] c [SEP] previous next [SEP] with token types 0 / 1 / 2, the neighbours being the
//       candidates before and after c in the question's list (none at the ends); score = logit1 - logit0 (one logit: itself).
// This client does not truncate: a text that does not fit is an error.
// usage: node as2.mjs <folder> <questions.json>   (questions.json: [{"question": "...", "candidates": ["...", ...]}, ...])
// prints [[score, ...], ...], one array per question, in candidate order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

const [folder, questionsPath] = process.argv.slice(2);
if (!folder || !questionsPath) {
  console.error('usage: node as2.mjs <folder> <questions.json>');
  process.exit(2);
}
const read = (name) => JSON.parse(readFileSync(join(folder, name), 'utf8'));
const config = read('config.json');
const tokenizerConfig = read('tokenizer_config.json');
const tokenizer = new Tokenizer(read('tokenizer.json'), tokenizerConfig);
const special = (name) => {
  const id = tokenizer.token_to_id(tokenizerConfig[name]);
  if (id === undefined) throw new Error(`${folder}: tokenizer_config.json's ${name} '${tokenizerConfig[name]}' is not in tokenizer.json's vocabulary`);
  return id;
};
const [CLS, SEP, PAD] = ['cls_token', 'sep_token', 'pad_token'].map(special);
const ids = (text) => Array.from(tokenizer.encode(text, { add_special_tokens: false }).ids, Number);
const session = await ort.InferenceSession.create(join(folder, 'model.onnx'));

async function run(rows) { // rows: [{ids, types, mask}] of equal length -> logits {dims, data}
  const tensor = (key) => new ort.Tensor('int64', BigInt64Array.from(rows.flatMap((r) => r[key]).map(BigInt)), [rows.length, rows[0][key].length]);
  const feeds = { input_ids: tensor('ids'), attention_mask: tensor('mask'), token_type_ids: tensor('types') };
  const { logits } = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]])));
  return { dims: logits.dims.map(Number), data: Array.from(logits.data) };
}

function jointRow(segments, length) { // segments: question then k candidates (null = empty slot)
  const row = { ids: [], types: [], mask: [] };
  segments.forEach((text, j) => {
    const body = text === null ? [] : ids(text);
    if (body.length > length - 2) throw new Error(`'${text}' has ${body.length} tokens; a segment holds ${length - 2}`);
    const segment = [CLS, ...body, SEP];
    for (let i = 0; i < length; i++) {
      row.ids.push(i < segment.length ? segment[i] : PAD);
      row.types.push(j);
      row.mask.push(i < segment.length ? 1 : 0);
    }
  });
  return row;
}

async function joint({ head, candidates: k, segment_length: length }, q) {
  if (head === 'ae_1' && k > 1) throw new Error(`an ae_1 model with k = ${k} gives one score per row, not one per candidate`);
  const scores = [];
  for (let start = 0; start < q.candidates.length; start += k) {
    const slots = Array.from({ length: k }, (_, j) => q.candidates[start + j] ?? null);
    const { data } = await run([jointRow([q.question, ...slots], length)]);
    scores.push(...data.slice(0, Math.min(k, q.candidates.length - start)));
  }
  return scores;
}

async function contextual(q) {
  const scores = [];
  for (let i = 0; i < q.candidates.length; i++) {
    const context = [...(i > 0 ? ids(q.candidates[i - 1]) : []), ...(i + 1 < q.candidates.length ? ids(q.candidates[i + 1]) : [])];
    const parts = [[CLS, ...ids(q.question), SEP], [...ids(q.candidates[i]), SEP], [...context, SEP]];
    const row = { ids: parts.flat(), types: parts.flatMap((p, t) => p.map(() => t)), mask: parts.flat().map(() => 1) };
    if (row.ids.length > config.max_position_embeddings) {
      throw new Error(`candidate ${i} of '${q.question}' needs ${row.ids.length} tokens; the model takes ${config.max_position_embeddings}`);
    }
    const { dims, data } = await run([row]);
    scores.push(dims[1] === 2 ? data[1] - data[0] : data[0]);
  }
  return scores;
}

const questions = JSON.parse(readFileSync(questionsPath, 'utf8'));
const out = [];
for (const q of questions) {
  if (config.joint_candidates) out.push(await joint(config.joint_candidates, q));
  else if (config.contextual_as2) out.push(await contextual(q));
  else throw new Error(`${folder}/config.json has neither joint_candidates nor contextual_as2`);
}
console.log(JSON.stringify(out));

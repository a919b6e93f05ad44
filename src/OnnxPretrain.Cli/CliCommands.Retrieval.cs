using System.CommandLine;
using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static readonly Option<DirectoryInfo> RetrievalData = new("--data") { Description = "BEIR folder: corpus.jsonl, queries.jsonl, " +
        "qrels/<split>.tsv (e.g. ../shared/data/retrieval/cranfield).", Required = true };
    private static readonly Option<double> K1 = new("--k1") { Description = "BM25 k1 (default 0.9, Anserini's BEIR flat setting; Lucene's " +
        "default is 1.2).", DefaultValueFactory = _ => Bm25Options.DefaultK1 };
    private static readonly Option<double> B = new("--b") { Description = "BM25 b (default 0.4, Anserini's BEIR flat setting; Lucene's " +
        "default is 0.75).", DefaultValueFactory = _ => Bm25Options.DefaultB };

    private static Command EvaluateRetrievalCommand() => RetrievalCommand(bench: false);

    /// <summary>
    /// <c>bench retrieval</c>: the same retrieval run as <c>evaluate retrieval</c>, printed as one JSON line of speed figures
    /// (corpus docs/s to index or encode, query latency mean/p50/p95 in ms) beside nDCG@10.
    /// </summary>
    private static Command BenchRetrievalCommand() => RetrievalCommand(bench: true);

    private static Command RetrievalCommand(bool bench)
    {
        var retriever = new Option<string>("--retriever") { Description = "bm25, dense (exported feature-extraction bi-encoder), hybrid (BM25 and " +
            "dense top 100 fused by reciprocal rank fusion) or rerank (exported cross-encoder over the first stage's top 100).",
            DefaultValueFactory = _ => "bm25" };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Exported model folder (dense, hybrid: export --task feature-extraction; " +
            "rerank: --task sequence-classification)." };
        var firstStage = new Option<string>("--first-stage") { Description = "rerank: the list re-scored, bm25 or hybrid (needs --dense-model).",
            DefaultValueFactory = _ => "bm25" };
        var denseModel = new Option<DirectoryInfo?>("--dense-model") { Description = "rerank --first-stage hybrid: the feature-extraction export." };
        var rrfK = new Option<int>("--rrf-k") { Description = "hybrid: reciprocal rank fusion's k, score = sum of 1 / (k + rank) (Cormack et al. 2009; " +
            "60 as in the paper and the common search engines' defaults).", DefaultValueFactory = _ => HybridRetriever.DefaultRrfK };
        var run = new Option<FileInfo?>("--run") { Description = "Score this TREC run file (qid Q0 docid rank score tag) instead of running a retriever." };
        var split = new Option<string>("--split") { Description = "Qrels split (qrels/<split>.tsv).", DefaultValueFactory = _ => "test" };
        var topK = new Option<int>("--top-k") { Description = "Documents retrieved per query.", DefaultValueFactory = _ => 100 };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum tokens per text (dense) or per (query, document) pair " +
            "(rerank).", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Texts or pairs per model run.", DefaultValueFactory = _ => 32 };
        var pooling = new Option<string?>("--pooling") { Description = "Dense pooling: mean (over attention_mask) or cls (default: the model folder's " +
            "1_Pooling/config.json, else mean)." };
        var queryPrefix = new Option<string?>("--query-prefix") { Description = "Dense: text put before each query (default: the model folder's " +
            "prompts.query in config_sentence_transformers.json, e.g. arctic-xs's; \"\" for none)." };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Dense: rank by raw inner product instead of cosine (no L2 normalisation)." };
        var ignoreIdentical = new Option<bool>("--ignore-identical-ids")
        {
            Description = "Drop a retrieved document whose id equals the query id before scoring, as BEIR's evaluation does by default " +
                "(for collections whose queries are also documents). Off by default, as in trec_eval.",
        };
        var c = new Command("retrieval", bench
            ? "Retrieval speed on a BEIR folder: one JSON line with the corpus docs/s (index or encode) and query latency (ms mean/p50/p95) " +
                "of bm25, dense, hybrid or rerank, beside nDCG@10."
            : "Ad-hoc retrieval on a BEIR folder: nDCG@10, MRR@10, Recall@100, MAP@100 with trec_eval conventions; prints JSON " +
              "(metrics, per-query counts, corpus docs/s, query latency ms) and writes retrieval.md and run.trec to --out.")
            { RetrievalData, retriever, model, firstStage, denseModel, rrfK, run, split, topK, K1, B, maxLength, batch, pooling, queryPrefix, noNormalize,
                ignoreIdentical,
                Out("none: results are printed, no file is written; with --out, retrieval.md, run.trec and per_query.tsv"), Threads, Device };
        c.SetAction(r => Guard(() =>
        {
            var pool = r.GetValue(pooling) switch
            {
                null => (Pooling?)null,
                "mean" => Pooling.Mean,
                "cls" => Pooling.Cls,
                var p => throw new ArgumentException($"--pooling is '{p}'; expected mean or cls."),
            };
            var o = new RetrievalEvalOptions(r.GetValue(RetrievalData)!.FullName, r.GetValue(split)!, r.GetValue(retriever)!, r.GetValue(model)?.FullName,
                r.GetValue(run)?.FullName, r.GetValue(topK), new Bm25Options(r.GetValue(K1), r.GetValue(B)),
                new BiEncoderOptions(r.GetValue(maxLength), r.GetValue(batch), pool, !r.GetValue(noNormalize), r.GetValue(queryPrefix)), Session: Session(r),
                IgnoreIdenticalIds: r.GetValue(ignoreIdentical), RrfK: r.GetValue(rrfK), FirstStage: r.GetValue(firstStage)!,
                DenseModelDir: r.GetValue(denseModel)?.FullName);
            if (!bench)
            {
                Print(EvaluateRetrieval.Run(o, OutValue(r)?.FullName));
                return 0;
            }
            var report = RetrievalEvaluation.Run(o);
            var line = new System.Text.Json.Nodes.JsonObject { ["bench"] = "retrieval", ["retriever"] = report.Name,
                ["ndcg@10"] = Math.Round(report.Scores.Ndcg10, 4) };
            foreach (var (k, v) in report.Timings) line[k] = v?.DeepClone();
            Console.Out.WriteLine(line.ToJsonString());
            return 0;
        }));
        return c;
    }

    private static Command FineTuneRerankCommand()
    {
        var init = new Option<string?>("--init") { Description = "Checkpoint folder to start every fold from (a pre-training run's checkpoint or " +
            "an import), or a named published model (minilm, arctic-xs); without --recipe, the recipe.json beside an imported checkpoint is used. " +
            "Default: random initialisation." };
        var denseModel = new Option<DirectoryInfo?>("--dense-model") { Description = "A feature-extraction export: each fold's re-ranker also " +
            "re-ranks hybrid@--depth (BM25 + this model by reciprocal rank fusion, k = 60) beside BM25@--depth. Training negatives always come " +
            "from BM25." };
        var folds = new Option<int>("--folds") { Description = "Folds of the cross-validation over judged queries.", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over a fold's training pairs.", DefaultValueFactory = _ => 3 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 5e-5 };
        var batch = new Option<int>("--batch") { Description = "Pairs per step.", DefaultValueFactory = _ => 16 };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum (query, document) pair length in tokens.", DefaultValueFactory = _ => 256 };
        var negatives = new Option<int>("--negatives") { Description = "BM25 non-relevant documents per relevant one.",
            DefaultValueFactory = _ => FineTuning.FineTuneRerankOptions.DefaultNegatives };
        var sampling = new Option<string>("--negative-sampling") { Description = "random (uniform among BM25's top --depth non-relevant " +
            "documents) or hardest (the best-ranked ones).", DefaultValueFactory = _ => "random" };
        sampling.AcceptOnlyFromAmong("random", "hardest");
        var depth = new Option<int>("--depth") { Description = "BM25 documents per query: negative pool and re-ranked list.", DefaultValueFactory = _ => 100 };
        var split = new Option<string>("--split") { Description = "Qrels split.", DefaultValueFactory = _ => "test" };
        var c = new Command("rerank",
            "Cross-encoder re-ranker of BM25's top 100 (and hybrid's, with --dense-model) with k-fold cross-validation over queries: " +
            "per fold, fine-tune on the " +
            "other folds' qrels " +
            "(positives: relevant documents; negatives: BM25 top-100 non-relevant ones, sampled at random or the hardest), export, re-rank " +
                "the held-out queries; report each fold and the mean nDCG@10/MRR@10/Recall@100/MAP@100.")
            { Recipe, RetrievalData, init, folds, epochs, lr, batch, maxLength, negatives, sampling, depth, split, K1, B, denseModel,
                Out(RunFolder("-rerank") + "; -2, -3, ... appended while taken"), Threads, Device, Seed };
        c.SetAction(r => Guard(() =>
        {
            var initFrom = InitPath(r.GetValue(init));
            var recipe = RecipeFor(r, initFrom);
            var dir = OutValue(r)?.FullName ?? FreshRunDir(OutDir(r, recipe, "-rerank"));
            var o = new FineTuning.FineTuneRerankOptions(r.GetValue(RetrievalData)!.FullName, dir, initFrom,
                r.GetValue(folds), r.GetValue(epochs),
                r.GetValue(lr), r.GetValue(batch), r.GetValue(maxLength), r.GetValue(negatives), r.GetValue(depth),
                    new Bm25Options(r.GetValue(K1), r.GetValue(B)),
                recipe.Training.Seed, r.GetValue(split)!, Session(r), Enum.Parse<FineTuning.NegativeSampling>(r.GetValue(sampling)!, ignoreCase: true),
                r.GetValue(denseModel)?.FullName);
            Print(FineTuning.FineTuneRerank.Run(recipe, o, Console.Error));
            return 0;
        }));
        return c;
    }
}

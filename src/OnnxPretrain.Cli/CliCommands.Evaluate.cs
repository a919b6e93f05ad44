using System.CommandLine;
using OnnxPretrain.Evaluation;
using OnnxPretrain.Training;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command EvaluateCommand()
    {
        var evaluate = new Command("evaluate", "Evaluate exported models or precomputed scores on downstream tasks.");
        evaluate.Subcommands.Add(EvaluateAs2Command());
        evaluate.Subcommands.Add(EvaluateRetrievalCommand());
        evaluate.Subcommands.Add(EvaluateSummarizationCommand());
        return evaluate;
    }

    private static Command FineTuneCommand()
    {
        var finetune = new Command("finetune", "Fine-tune a pre-trained encoder on a downstream task, export it and evaluate it.");
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with {train,dev,test}.tsv (qid, question, candidate, label), " +
            "e.g. ../shared/data/as2/wikiqa.", Required = true };
        var init = new Option<string?>("--init")
        {
            Description = "Checkpoint folder to start from (a pre-training run's checkpoint or an import), or a named published model (minilm, arctic-xs); " +
                "without --recipe, the recipe.json beside an imported checkpoint is used. Default: random initialisation.",
        };
        var evalsPerEpoch = new Option<int>("--evals-per-epoch") { Description = "Dev-MAP evaluations per epoch (the best is kept; patience " +
            "counts evaluations).", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training pairs.", DefaultValueFactory = _ => 3 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 5e-5 };
        var batch = new Option<int>("--batch") { Description = "Pairs per step.", DefaultValueFactory = _ => 16 };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum pair length in tokens.", DefaultValueFactory = _ => 128 };
        var patience = new Option<int>("--patience") { Description = "Dev evaluations (one per epoch, or --evals-per-epoch) without a " +
            "dev-MAP improvement before stopping.", DefaultValueFactory = _ => 2 };
        var joint = new Option<string?>("--joint") { Description = "Train the joint multi-candidate model instead (Di Liello et al. 2022) with this " +
            "head: ie_k (each candidate's [CLS] vector), ae_k ([question; candidate] vectors) or ae_1 (sum of the segments; needs --candidates 1). " +
            "Rows hold a question and --candidates of its candidates, each segment --segment-length tokens." };
        var context = new Option<bool>("--context") { Description = "Contextual AS2 (Lauriola and Moschitti 2021): each candidate with its previous " +
            "and next candidates of the question (the sentences around it in WikiQA's source summary) as a third segment, token type 2." };
        var candidates = new Option<int>("--candidates") { Description = "Joint model: candidates per row (k).", DefaultValueFactory = _ => 5 };
        var segment = new Option<int>("--segment-length") { Description = "Joint model: tokens per segment.", DefaultValueFactory = _ => 64 };
        var segmentPooling = new Option<string?>("--segment-pooling") { Description = "Joint model: a segment's vector is its [CLS] vector (cls, " +
            "the paper's) or the mean of its tokens (mean). Default: the recipe's joint objective's pooling (an MSPP run's), else cls." };
        segmentPooling.AcceptOnlyFromAmong([.. Models.IJointCandidates.PoolingKinds]);
        var c = new Command("as2", "AS2 cross-encoder: fine-tune the recipe's encoder with a [CLS] classification head on (question, candidate) pairs, " +
            "early stopping on dev MAP, export the best model (logits) and report P@1/MAP/MRR/HR@5 on test beside the lexical baselines. " +
            "With --joint, the joint model scores k candidates per row.")
            { Recipe, data, init, epochs, lr, batch, maxLength, patience, evalsPerEpoch, context, joint, candidates, segment, segmentPooling,
                Out(RunFolder("-as2") + "; -2, -3, ... appended while taken"), Threads, Device, Seed };
        c.SetAction(r => Guard(() =>
        {
            if (r.GetValue(joint) is null && r.GetValue(segmentPooling) is { } p)
                throw new ArgumentException($"--segment-pooling {p} applies to the joint model only; add --joint ie_k|ae_k or drop it.");
            var initFrom = InitPath(r.GetValue(init));
            var recipe = RecipeFor(r, initFrom);
            var dir = OutValue(r)?.FullName ?? FreshRunDir(OutDir(r, recipe, "-as2"));
            var o = new FineTuning.FineTuneAs2Options(r.GetValue(data)!.FullName, dir, initFrom, r.GetValue(epochs), r.GetValue(lr),
                r.GetValue(batch), r.GetValue(maxLength), r.GetValue(patience), Session(r))
                { EvalsPerEpoch = r.GetValue(evalsPerEpoch), Context = r.GetValue(context) };
            Print(r.GetValue(joint) is { } head
                ? FineTuning.FineTuneAs2Joint.Run(recipe, o, new Models.JointAs2Config
                    {
                        Type = "as2_joint", Head = head, Candidates = r.GetValue(candidates), SegmentLength = r.GetValue(segment),
                        Pooling = r.GetValue(segmentPooling) ?? (recipe.Objective as Models.IJointCandidates)?.Pooling ?? "cls",
                    }, Console.Error)
                : FineTuning.FineTuneAs2.Run(recipe, o, Console.Error));
            return 0;
        }));
        finetune.Subcommands.Add(c);
        finetune.Subcommands.Add(FineTuneRerankCommand());
        finetune.Subcommands.Add(FineTuneSummarizationCommand());
        return finetune;
    }

    private static Command ExportCommand()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Checkpoint folder (model.safetensors) of a run.", Required = true };
        var task = new Option<string>("--task") { Description = "feature-extraction (last_hidden_state[, pooler_output]) or " +
            "sequence-classification (logits).", DefaultValueFactory = _ => "feature-extraction" };
        var external = new Option<string>("--external-data")
        {
            Description = "auto: weights go to model.onnx_data (ONNX external data) when they would push model.onnx past protobuf's 2 GB limit; always; never.",
            DefaultValueFactory = _ => "auto",
        };
        var layout = new Option<string>("--layout")
        {
            Description = "optimum (model.onnx at the top), transformers.js (onnx/model.onnx) or sentence-transformers (onnx/model.onnx plus " +
                "modules.json, 1_Pooling, 2_Normalize: feature-extraction only).",
            DefaultValueFactory = _ => "optimum",
        };
        var pooling = new Option<string?>("--pooling")
        {
            Description = "feature-extraction: mean or cls pooling, written as sentence-transformers' 1_Pooling/config.json (default: the recipe's " +
                "contrastive pooling, else the pooling the checkpoint inherits from an import or its training.init_from, else mean).",
        };
        var queryPrefix = new Option<string?>("--query-prefix")
        {
            Description = "feature-extraction: text put before retrieval queries, written as prompts.query in config_sentence_transformers.json " +
                "(default: the prefix the checkpoint inherits, e.g. arctic-xs's; \"\" for none).",
        };
        var c = new Command("export",
            "Export a checkpoint as an inference ONNX model in a Hugging Face-style folder (model.onnx, config.json, tokenizer.json and " +
            "the other tokenizer files, model.safetensors), laid out for Optimum, transformers.js or sentence-transformers.")
            { Recipe, checkpoint, task, external, layout, pooling, queryPrefix,
                Out("the folder 'export' beside the checkpoint folder, <checkpoint>/../export") };
        c.SetAction(r => Guard(() =>
        {
            if (IsSeq2SeqRecipe(r))
            {
                Print(ExportSeq2Seq(r, r.GetValue(checkpoint)!.FullName, OutValue(r)?.FullName, r.GetValue(layout) switch
                {
                    "optimum" => Export.ExportLayout.Optimum,
                    "transformers.js" => Export.ExportLayout.TransformersJs,
                    var l => throw new ArgumentException($"--layout is '{l}' for a seq2seq recipe; expected optimum or transformers.js."),
                }));
                return 0;
            }
            var weights = Runtime.Checkpoint.LoadWeights(r.GetValue(checkpoint)!.FullName).Tensors;
            var recipe = RecipeFor(r, r.GetValue(checkpoint)!.FullName);
            var exportTask = r.GetValue(task) switch
            {
                "feature-extraction" => Export.ExportTask.FeatureExtraction,
                "sequence-classification" => Export.ExportTask.SequenceClassification,
                var t => throw new ArgumentException($"--task is '{t}'; expected feature-extraction or sequence-classification."),
            };
            var externalData = r.GetValue(external) switch
            {
                "auto" => Onnx.ExternalData.Auto,
                "always" => Onnx.ExternalData.Always,
                "never" => Onnx.ExternalData.Never,
                var e => throw new ArgumentException($"--external-data is '{e}'; expected auto, always or never."),
            };
            var dir = OutValue(r)?.FullName ?? Path.Combine(r.GetValue(checkpoint)!.FullName, "..", "export");
            var (_, vocab) = Pretraining.Tokenizer(recipe, null);
            var exportLayout = r.GetValue(layout) switch
            {
                "optimum" => Export.ExportLayout.Optimum,
                "transformers.js" => Export.ExportLayout.TransformersJs,
                "sentence-transformers" => Export.ExportLayout.SentenceTransformers,
                var l => throw new ArgumentException($"--layout is '{l}'; expected optimum, transformers.js or sentence-transformers."),
            };
            var inherited = PretrainedImport.InheritedSentenceEmbedding(recipe, r.GetValue(checkpoint)!.FullName);
            var prefix = r.GetValue(queryPrefix) ?? inherited?.QueryPrefix;
            var sentence = new Data.SentenceEmbeddingSpec(r.GetValue(pooling) ?? (recipe.Objective as Models.ContrastiveConfig)?.Pooling
                ?? inherited?.Pooling ?? "mean", MaxSeqLength: recipe.Data.SequenceLength, QueryPrefix: string.IsNullOrEmpty(prefix) ? null : prefix);
            var model = Export.EncoderExport.Write(recipe.Model, weights, Path.GetFullPath(dir), vocab, exportTask, externalData, exportLayout, sentence,
                gpt2Tokenizer: recipe.Data.Tokenizer == "gpt2");
            Print(new System.Text.Json.Nodes.JsonObject { ["model"] = model });
            return 0;
        }));
        return c;
    }

    private static Command EvaluateAs2Command()
    {
        var model = new Option<DirectoryInfo?>("--model") { Description = "Exported cross-encoder folder (model.onnx with a logits output, vocab.txt)." };
        var scores = new Option<FileInfo?>("--scores") { Description = "Precomputed scores: the split's TSV plus a 'score' column." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Folder with {train,dev,test}.tsv (qid, question, candidate, " +
            "label), e.g. ../shared/data/as2/wikiqa." };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var all = new Option<bool>("--all-questions") { Description = "Include questions without a positive (they score 0); default: only " +
            "questions with a positive (standard WikiQA)." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the markdown table to this file." };
        var biEncoder = new Option<string?>("--bi-encoder")
        {
            Description = "Score with --model as a bi-encoder (a feature-extraction export, e.g. an imported minilm): cosine of the pooled, L2-normalised " +
                "question and candidate embeddings; the value is the pooling, mean or cls. Default: --model is a cross-encoder (logits).",
        };
        var maxLength = new Option<int>("--max-length") { Description = "Maximum tokens per pair (cross-encoder) or per text " +
            "(bi-encoder).", DefaultValueFactory = _ => Evaluation.As2Scorer.DefaultMaxLength };
        var c = new Command("as2", "Answer sentence selection: P@1, MAP, MRR, HR@5 (tie-aware expected values) for a model or precomputed scores, " +
            "beside the word-count and IDF-weighted word-overlap baselines (Yang et al. 2015).") { model, scores, data, split, all,
                markdown, biEncoder, maxLength };
        c.SetAction(r => Guard(() =>
        {
            var pooling = r.GetValue(biEncoder) switch
            {
                null => (Evaluation.Retrieval.Pooling?)null,
                "mean" => Evaluation.Retrieval.Pooling.Mean,
                "cls" => Evaluation.Retrieval.Pooling.Cls,
                var p => throw new ArgumentException($"--bi-encoder is '{p}'; expected mean or cls."),
            };
            var report = As2Evaluation.Run(new As2EvalOptions(r.GetValue(data)?.FullName, r.GetValue(split)!, r.GetValue(model)?.FullName,
                r.GetValue(scores)?.FullName, r.GetValue(all), r.GetValue(maxLength), BiEncoder: pooling));
            Console.Out.WriteLine(report.ToJsonString());
            Console.Error.WriteLine(report.ToMarkdown());
            if (r.GetValue(markdown) is { } md) File.WriteAllText(md.FullName, report.ToMarkdown());
            return 0;
        }));
        return c;
    }
}

using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.FineTuning;

/// <summary>
/// Joint AS2 fine-tuning (Di Liello et al., NAACL 2022): the recipe's encoder with the joint head (<c>as2_joint</c>)
/// trained on rows of a question and k of its candidates (<see cref="As2JointGroups"/>: each question's candidates in
/// chunks of k, re-shuffled within the question every epoch for training, file order for dev and test; every candidate
/// scored once), binary cross-entropy per candidate, dev MAP with early stopping as <see cref="FineTuneAs2"/>; the best
/// weights are exported (<see cref="ExportTask.JointCandidates"/>) and the test split scored through that export.
/// The token-type table grows to k + 1 rows (the checkpoint's rows are copied; the others start fresh).
/// </summary>
public static class FineTuneAs2Joint
{
    /// <summary>Runs fine-tuning, export and test evaluation; returns the test report and where things are.</summary>
    public static JsonObject Run(Recipe pretrained, FineTuneAs2Options o, JointAs2Config joint, TextWriter log)
    {
        joint.Validate();
        if (o.Context) throw new ArgumentException("--context and --joint cannot be combined: the joint model's segments are the question and k candidates.");
        if (joint.Head == "ae_1" && joint.Candidates > 1)
            throw new ArgumentException($"--joint ae_1 gives one score per row; AS2 needs one per candidate, so it needs --candidates 1 " +
                $"(got {joint.Candidates}).");
        var train = As2Data.Read(As2Data.SplitPath(o.DataDir, "train"));
        var dev = As2Data.Read(As2Data.SplitPath(o.DataDir, "dev"));
        var (tokenizer, vocab) = Pretraining.Tokenizer(pretrained, null);
        var layout = new JointLayout(joint.Head, joint.Candidates, joint.SegmentLength, joint.Pooling);
        var source = new JointGroupSource(train, tokenizer, layout, o.BatchSize, pretrained.Training.Seed);
        var devGroups = As2JointGroups.Build(dev, tokenizer, layout);
        if (pretrained.Objective is IJointCandidates from && from.Pooling != joint.Pooling)
            log.WriteLine($"Note: the checkpoint's joint head was trained with {from.Pooling} segment pooling; fine-tuning uses {joint.Pooling}.");
        log.WriteLine($"Joint AS2 ({joint.Head}, {joint.Pooling} pooling, k = {joint.Candidates}, segments of {joint.SegmentLength}): " +
            $"{source.GroupCount:N0} training rows of {train.Pairs.Count:N0} candidates, {devGroups.Count:N0} dev rows.");
        var recipe = FineTuneAs2.Prepare(pretrained, "-as2-joint", o, o.Epochs * source.BatchesPerEpoch, log, joint, joint.Candidates + 1);
        double DevMap(TrainingSession s) => As2Evaluation.Evaluate(dev, As2JointGroups.Scatter(dev, devGroups,
            Logits(s, devGroups, layout, tokenizer.Specials.PadId), joint.Candidates), false).MeanAveragePrecision;
        var best = FineTuneAs2.Train(recipe, o, source, source.BatchesPerEpoch, DevMap, log);
        var exportDir = Path.Combine(o.RunDir, "export");
        EncoderExport.Write(recipe.Model, Checkpoint.LoadWeights(best.Dir).Tensors, exportDir, vocab, ExportTask.JointCandidates, joint: joint);
        var report = As2Evaluation.Run(new As2EvalOptions(o.DataDir, "test", exportDir));
        File.WriteAllText(Path.Combine(o.RunDir, "as2_report.md"), report.ToMarkdown());
        var json = report.ToJson();
        json["fine_tuning"] = new JsonObject
        {
            ["steps"] = best.Steps, ["best_step"] = best.Step, ["dev_map"] = Math.Round(best.DevMap, 4), ["seconds"] = Math.Round(best.Seconds, 1),
            ["init"] = o.Init, ["export"] = exportDir, ["joint"] = layout.ToJson(),
        };
        return json;
    }

    /// <summary>The eval model's logits (groups × k) for <paramref name="groups"/>, in order.</summary>
    internal static float[] Logits(TrainingSession session, IReadOnlyList<JointGroup> groups, JointLayout layout, int padId)
    {
        var logits = new List<float>();
        for (int start = 0; start < groups.Count; start += 8)
        {
            var part = groups.Skip(start).Take(8).ToList();
            var batch = JointRows.Build(part.Select(g => g.Ids).ToList(), part.Select(g => g.Labels).ToList(), layout.SegmentLength, padId);
            logits.AddRange(session.Evaluate(BatchStream.ToTensors(batch), ["logits"])["logits"].AsFloats());
        }
        return [.. logits];
    }
}

/// <summary>
/// Training batches of joint rows: epoch e re-groups every question's candidates after a shuffle seeded by (seed, e) and
/// visits the rows in a permutation seeded by (seed, e); batch k = rows k·B … k·B + B − 1 of the endless sequence.
/// </summary>
public sealed class JointGroupSource : IBatchSource
{
    private readonly As2Dataset _data;
    private readonly TextTokenizer _tokenizer;
    private readonly JointLayout _layout;
    private readonly int _batchSize;
    private readonly long _seed;
    private (long Epoch, List<JointGroup> Groups, int[] Order) _cached = (-1, [], []);

    /// <summary>Creates the source; the group count is that of epoch 0 (the same every epoch: it depends only on the candidate counts).</summary>
    public JointGroupSource(As2Dataset data, TextTokenizer tokenizer, JointLayout layout, int batchSize, long seed)
    {
        (_data, _tokenizer, _layout, _batchSize, _seed) = (data, tokenizer, layout, batchSize, seed);
        GroupCount = Epoch(0).Groups.Count;
    }

    /// <summary>Joint rows per epoch.</summary>
    public int GroupCount { get; }

    /// <summary>Batches per epoch (the last one may wrap into the next epoch).</summary>
    public int BatchesPerEpoch => (GroupCount + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public Batch Get(long position)
    {
        var rows = Enumerable.Range(0, _batchSize).Select(j => position * _batchSize + j).Select(i =>
        {
            var (_, groups, order) = Epoch(i / GroupCount);
            return groups[order[(int)(i % GroupCount)]];
        }).ToList();
        return JointRows.Build(rows.Select(g => g.Ids).ToList(), rows.Select(g => g.Labels).ToList(), _layout.SegmentLength, _tokenizer.Specials.PadId);
    }

    private (long Epoch, List<JointGroup> Groups, int[] Order) Epoch(long epoch)
    {
        if (_cached.Epoch == epoch) return _cached;
        var groups = As2JointGroups.Build(_data, _tokenizer, _layout, (long)MaskingRng.Hash(_seed, epoch, 0x4A47));
        return _cached = (epoch, groups, new EpochShuffler(_seed).Order(groups.Count, (int)epoch));
    }
}

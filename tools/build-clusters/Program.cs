// build-clusters: k-means token clusters for C-RTS, from an embedding matrix or a token-id corpus.
// Usage and file formats: BuildClustersCommand (this folder), OnnxPretrain.Data.TokenClusters.
//   dotnet run --project tools/build-clusters -- --from-embeddings emb.bin --vocab-size 30522 --dim 256 --clusters 100 --out clusters.txt
//   dotnet run --project tools/build-clusters -- --from-ids ids.txt --vocab-size 30522 --clusters 100 --out clusters.txt
//   dotnet run --project tools/build-clusters -- --from-default-corpus --clusters 100 --out models/clusters/bert-base-uncased-100.txt
// --from-default-corpus tokenises the default corpus's training documents (Brown + State of the Union) with
// bert-base-uncased, writes them as an id file, and clusters PPMI co-occurrence vectors of it (--from-ids).
using OnnxPretrain.Data;
using OnnxPretrain.Tools.BuildClusters;

if (args.Length > 0 && args[0] == "--from-default-corpus")
{
    var tokenizer = TextTokenizer.CreateBertBaseUncased();
    var corpus = DefaultCorpus.Load();
    var ids = Path.Combine(Path.GetTempPath(), $"build-clusters-{Environment.ProcessId}.ids");
    using (var w = new StreamWriter(ids))
        foreach (var sentence in corpus.Train.SelectMany(d => d.Paragraphs).SelectMany(p => p.Sentences))
            w.WriteLine(string.Join(' ', tokenizer.Encode(sentence)));
    Console.WriteLine($"Tokenised {corpus.Train.Count} training documents of the default corpus into {ids}.");
    try
    {
        return BuildClustersCommand.Run(["--from-ids", ids, "--vocab-size", tokenizer.VocabSize.ToString(), .. args[1..]], Console.Out, Console.Error);
    }
    finally
    {
        File.Delete(ids);
    }
}
return BuildClustersCommand.Run(args, Console.Out, Console.Error);

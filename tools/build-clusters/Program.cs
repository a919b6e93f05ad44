// build-clusters: k-means token clusters for C-RTS, from an embedding matrix or a token-id corpus.
// Usage and file formats: OnnxPretrain.Data.BuildClustersCommand, OnnxPretrain.Data.TokenClusters.
//   dotnet run --project tools/build-clusters -- --from-embeddings emb.bin --vocab-size 30522 --dim 256 --clusters 100 --out clusters.txt
//   dotnet run --project tools/build-clusters -- --from-ids ids.txt --vocab-size 30522 --clusters 100 --out clusters.txt
return OnnxPretrain.Data.BuildClustersCommand.Run(args, Console.Out, Console.Error);

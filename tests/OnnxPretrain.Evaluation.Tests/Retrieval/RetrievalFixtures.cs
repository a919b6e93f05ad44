using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

/// <summary>Small BEIR folders written to a temp dir, and the shared Cranfield path.</summary>
internal static class RetrievalFixtures
{
    public static readonly string[] Corpus =
    [
        """{"_id": "d1", "title": "Boundary layers", "text": "Laminar boundary layer transition on a flat plate at supersonic speed."}""",
        """{"_id": "d2", "title": "Heat transfer", "text": "Heat conduction in composite slabs and cylinders."}""",
        """{"_id": "d3", "title": "", "text": "Buckling of thin cylindrical shells under axial compression."}""",
        """{"_id": "d4", "title": "Wings", "text": "Aerodynamics of a wing in a propeller slipstream."}""",
    ];

    public static readonly string[] Queries =
    [
        """{"_id": "q1", "text": "heat conduction in composite slabs"}""",
        """{"_id": "q2", "text": "buckling of cylindrical shells (axial) + compression?"}""",
    ];

    public static string Write(TempDir dir, string qrels = "query-id\tcorpus-id\tscore\nq1\td2\t2\nq2\td3\t1\nq2\td1\t0\n")
    {
        dir.File("corpus.jsonl", string.Join("\n", Corpus) + "\n");
        dir.File("queries.jsonl", string.Join("\n", Queries) + "\n");
        Directory.CreateDirectory(Path.Combine(dir.Path, "qrels"));
        dir.File(Path.Combine("qrels", "test.tsv"), qrels);
        return dir.Path;
    }

    public static string CranfieldDir
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "OnnxPretrain.sln")))
                    return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data", "retrieval", "cranfield"));
            }
            return Path.GetFullPath(Path.Combine("..", "shared", "data", "retrieval", "cranfield"));
        }
    }

    /// <summary>Cranfield, or Assert.Inconclusive naming the path when the shared data is absent.</summary>
    public static BeirDataset Cranfield()
    {
        if (!File.Exists(Path.Combine(CranfieldDir,
            "corpus.jsonl"))) Assert.Inconclusive($"Cranfield not found at {CranfieldDir}; the shared data (../shared/data/retrieval/cranfield) is absent.");
        return BeirData.Read(CranfieldDir);
    }
}

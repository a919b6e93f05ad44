using System.Diagnostics;
using System.Text.Json.Nodes;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;
using OnnxPretrain.Training.Tests;

namespace OnnxPretrain.Cli.Tests;

/// <summary>`pretrain --distributed` under MPICH's mpiexec (skipped when mpiexec.mpich is not installed).</summary>
[TestClass]
public sealed class DistributedTests
{
    private static readonly string CliDll = CliProcess.CliDll;

    private static string MpiExec()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpiexec.mpich")).FirstOrDefault(File.Exists);
        if (found is null) Assert.Inconclusive("mpiexec.mpich is not on PATH: install MPICH (apt-get install -y mpich) to run the data-parallel tests.");
        return found;
    }

    private static Process Start(string file, IEnumerable<string> args) => CliProcess.Start(file, args);

    private static IEnumerable<string> Ranks(int n, params string[] args) => ["-n", n.ToString(), "dotnet", CliDll, .. args, "--distributed"];

    private static (int Code, string Out, string Err) Wait(Process p, TimeSpan timeout) => CliProcess.Wait(p, timeout);

    [TestMethod]
    public void MpiExec_TwoRanksHalfBatchEach_MatchOneProcessLossesAndParameters()
    {
        var mpiexec = MpiExec();
        var recipe = Fixture.Create(steps: 3, checkpointEvery: 3);
        var root = Path.GetDirectoryName(recipe)!;
        string single = Path.Combine(root, "single"), dp = Path.Combine(root, "dp");
        var one = Wait(Start("dotnet", [CliDll, "pretrain", "--recipe", recipe, "--out", single, "--threads", "1"]), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, one.Code, one.Err);
        var two = Wait(Start(mpiexec, Ranks(2, "pretrain", "--recipe", recipe, "--out", dp, "--threads", "1")), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, two.Code, two.Err);
        StringAssert.Contains(two.Err, "over 2 ranks");
        Assert.AreEqual(3, (long)JsonNode.Parse(two.Out)!["steps"]!, "rank 0 alone prints the result: " + two.Out);
        var a = Fixture.TrainLosses(single);
        var b = Fixture.TrainLosses(dp);
        CollectionAssert.AreEqual(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var step in a.Keys) Assert.AreEqual(a[step], b[step], 1e-5, $"loss at step {step}");
        var train = MetricsLog.Read(Path.Combine(dp, "metrics.jsonl")).Where(o => (string?)o["split"] == "train").ToList();
        Assert.HasCount(3, train);                                    // rank 0 alone writes metrics
        Assert.IsTrue(train.All(o => (double)o["allreduce_ms"]! >= 0));
        var x = Safetensors.Read(Path.Combine(single, "checkpoint-3", Checkpoint.ModelFile)).Tensors;
        var y = Safetensors.Read(Path.Combine(dp, "checkpoint-3", Checkpoint.ModelFile)).Tensors;
        foreach (var (name, t) in x)
        {
            double worst = t.AsFloats().Zip(y[name].AsFloats(), (p, q) => Math.Abs((double)p - q)).Max();
            Assert.IsLessThanOrEqualTo(1e-5, worst, $"{name}: max |difference| {worst}");
        }
    }

    [TestMethod]
    public void MpiExec_RankKilledMidRun_OthersStopWithErrorAndLastCheckpointResumes()
    {
        var mpiexec = MpiExec();
        var recipe = Fixture.Create(steps: 100000, checkpointEvery: 3);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "killed");
        using var p = Start(mpiexec, Ranks(2, "pretrain", "--recipe", recipe, "--out", dir, "--threads", "1", "--collective-timeout", "20"));
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Trainer.Checkpoints(dir).Count == 0 && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(20);
            Assert.IsFalse(p.HasExited, "the run ended before its first checkpoint");
            var rank1 = RankProcess(dir, 1);
            Assert.IsNotNull(rank1, "rank 1's process was not found");
            rank1.Kill();
            Assert.IsTrue(p.WaitForExit(TimeSpan.FromSeconds(60)), "rank 0 did not stop within 60 s of rank 1's death");
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        Assert.AreNotEqual(0, p.ExitCode);
        // Hydra (mpiexec.mpich) ends the surviving rank and reports the dead one; our watchdog reports a rank stuck in a collective.
        var output = stdout.Result + stderr.Result;
        Assert.IsTrue(output.Contains("BAD TERMINATION") || output.Contains("another rank probably died"), output);
        var last = Trainer.Checkpoints(dir)[^1];
        long step = Checkpoint.Load(last).State.GlobalStep;
        var resumed = Wait(Start("dotnet",
            [CliDll, "pretrain", "--recipe", recipe, "--out", dir, "--threads", "1", "--resume", "--steps", (step + 2).ToString()]), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, resumed.Code, resumed.Err);
        StringAssert.Contains(resumed.Err, "Resuming from");
        Assert.AreEqual(step + 2, (long)JsonNode.Parse(resumed.Out)!["steps"]!);
    }

    [TestMethod]
    public void Distributed_WithoutMpiLibrary_ExitsOneSayingWhatToInstall()
    {
        var recipe = Fixture.Create(steps: 1);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliDll, "pretrain", "--recipe", recipe, "--out", Path.Combine(Path.GetDirectoryName(recipe)!, "run"), "--distributed" })
            psi.ArgumentList.Add(a);
        psi.Environment["ONNXPRETRAIN_MPI_LIBRARY"] = "/nonexistent/libmpich.so.12";
        var (code, _, stderr) = Wait(Process.Start(psi)!, TimeSpan.FromMinutes(1));
        Assert.AreEqual(1, code, stderr);
        StringAssert.Contains(stderr, "/nonexistent/libmpich.so.12");
        StringAssert.Contains(stderr, "apt-get install mpich");
    }

    /// <summary>The dotnet process of rank <paramref name="rank"/> (PMI_RANK in its environment) training into <paramref name="dir"/>.</summary>
    private static Process? RankProcess(string dir, int rank)
    {
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                var environ = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
                if (cmdline.Contains(dir) && cmdline.Contains("OnnxPretrain.Cli.dll") && environ.Contains($"PMI_RANK={rank}"))
                    return Process.GetProcessById(int.Parse(pid!));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        }
        return null;
    }
}

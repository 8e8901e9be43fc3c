using MusicRnn.Experiments;

namespace MusicRnn.Tests.Experiments;

public sealed class ResultsFolderTests
{
    [Fact]
    public void Should_write_every_artifact_of_a_bench_folder()
    {
        // Given a 2 × 2 grid whose samples are already in the folder
        using var dir = new TempDir();
        var grid = BenchFakes.Grid(["rnn", "lstm"], [1, 2], dir.Path);

        // When the folder is completed
        var written = ResultsFolder.WriteAll(grid, dir.Path);

        // Then results, table, one loss figure per depth, the time and timbre figures and the page exist
        Assert.Equal(["results.json", "table.md", "loss-1layer.png", "loss-2layer.png", "time.png", "timbre.png", "report.html"], written);
        Assert.All(written, f => Assert.True(new FileInfo(dir.File(f)).Length > 0, f));
        Assert.Equal(4, BenchResults.Load(dir.Path).Models.Count);
    }

    [Fact]
    public void Should_merge_folders_of_single_runs_into_the_same_report_as_one_full_run()
    {
        // Given a full run's folder and three folders holding one or two cells each
        using var full = new TempDir();
        using var a = new TempDir();
        using var b = new TempDir();
        using var c = new TempDir();
        using var merged = new TempDir();
        ResultsFolder.WriteAll(BenchFakes.Grid(["lstm", "gru"], [1, 2], full.Path), full.Path);
        ResultsFolder.WriteAll(BenchFakes.Grid(["gru"], [2], a.Path), a.Path);
        ResultsFolder.WriteAll(BenchFakes.Grid(["lstm"], [1, 2], b.Path), b.Path);
        ResultsFolder.WriteAll(BenchFakes.Grid(["gru"], [1], c.Path), c.Path);

        // When the three are merged into a new folder
        var result = ResultsFolder.Merge([a.Path, b.Path, c.Path], merged.Path);

        // Then its table and page equal the full run's, and every sample, spectrogram and the excerpt's were copied over
        Assert.Equal(4, result.Models.Count);
        Assert.Equal(File.ReadAllText(full.File("table.md")), File.ReadAllText(merged.File("table.md")));
        Assert.Equal(File.ReadAllText(full.File("report.html")), File.ReadAllText(merged.File("report.html")));
        foreach (var m in result.Models)
        {
            Assert.Equal(File.ReadAllBytes(full.File(m.Sample!)), File.ReadAllBytes(merged.File(m.Sample!)));
            Assert.Equal(File.ReadAllBytes(full.File(m.Spectrogram!)), File.ReadAllBytes(merged.File(m.Spectrogram!)));
        }
        Assert.True(File.Exists(merged.File(result.Reference!.Excerpt!)));
    }

    [Fact]
    public void Should_refuse_a_listed_sample_that_is_missing()
    {
        // Given a folder whose results list a sample that was never written
        using var a = new TempDir();
        using var merged = new TempDir();
        ResultsFolder.WriteAll(BenchFakes.Grid(["lstm"], [1]), a.Path);

        // When it is merged
        var e = Assert.Throws<InputException>(() => ResultsFolder.Merge([a.Path], merged.Path));

        // Then the missing sample is named
        Assert.StartsWith(Path.Combine(a.Path, "samples", "lstm-1.wav") + ": ", e.Message, StringComparison.Ordinal);
    }
}

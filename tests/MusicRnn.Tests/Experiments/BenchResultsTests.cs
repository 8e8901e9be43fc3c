using System.Text.Json.Nodes;
using MusicRnn.Experiments;

namespace MusicRnn.Tests.Experiments;

public sealed class BenchResultsTests
{
    [Fact]
    public void Should_read_back_every_field_it_saved()
    {
        // Given a grid whose models include a diverged loss (NaN), a missing validation loss and a null sample
        using var dir = new TempDir();
        var grid = BenchFakes.Grid(["lstm", "cwrnn"], [1, 2]);
        var odd = grid.Models[0] with { FinalTrainLoss = double.NaN, FinalValidationLoss = null, Sample = null };
        grid = grid with { Models = [odd, .. grid.Models.Skip(1)] };

        // When it is saved and loaded
        string path = dir.File(BenchResults.FileName);
        grid.Save(path);
        var loaded = BenchResults.Load(dir.Path);

        // Then saving the loaded copy writes the very same text, so no field was lost on the way
        string again = dir.File("again.json");
        loaded.Save(again);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(again));
        // And the fields that take special care came back as they were
        Assert.True(double.IsNaN(loaded.Models[0].FinalTrainLoss));
        Assert.Null(loaded.Models[0].FinalValidationLoss);
        Assert.Null(loaded.Models[0].Sample);
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128], loaded.Models.Single(m => m.Name == "cwrnn-2").Spec.Periods!);
        Assert.Equal(grid.Models[1].LossCurve, loaded.Models[1].LossCurve);
        Assert.Equal(DateTimeKind.Utc, loaded.Models[1].Provenance.Date.Kind);
        Assert.Equal(grid.Models[1].Provenance.Date, loaded.Models[1].Provenance.Date);
        Assert.Equal("hidden", loaded.Settings.Extra["match"]);
        Assert.Equal(path, loaded.Source);
        // And the musical metrics and the song's reference points came back too
        Assert.Equal(grid.Models[1].Music, loaded.Models[1].Music);
        Assert.Equal(grid.Models[1].Audio, loaded.Models[1].Audio);
        Assert.Equal("samples/lstm-2.png", loaded.Models[1].Spectrogram);
        Assert.Equal(grid.Reference!.Points, loaded.Reference!.Points);
    }

    [Fact]
    public void Should_read_a_version_2_file_as_having_no_musical_metrics()
    {
        // Given the results.json a bench wrote at 94ba421 (version 2: named baselines, no musical metrics)
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "results-v2.json");

        // When it is loaded
        var results = BenchResults.Load(path);

        // Then it reads as the current version with its baselines and time to target, no sample is
        // measured and there is no reference, and the report and table render without a music section
        Assert.Equal(BenchResults.CurrentVersion, results.Version);
        Assert.Equal(["lstm-1", "gru-1"], results.Models.Select(m => m.Name));
        Assert.Equal(["persistence", "mean", "linear"], results.Settings.Baselines.Select(b => b.Name).Take(3));
        Assert.All(results.Models, m => Assert.Equal("samples/" + m.Name + ".wav", m.Sample));
        Assert.All(results.Models, m => Assert.True(m.Music is null && m.Audio is null && m.Spectrogram is null));
        Assert.Null(results.Reference);
        Assert.DoesNotContain("id=\"music\"", ReportWriter.Render(results), StringComparison.Ordinal);
        Assert.DoesNotContain("Does it sound like the song?", TableWriter.Render(results), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_a_version_1_file_with_its_two_baselines_named()
    {
        // Given the results.json a demo wrote at d00ef26 (version 1: persistenceLoss and meanLoss per model)
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "results-v1.json");

        // When it is loaded
        var results = BenchResults.Load(path);

        // Then it reads as the current version, each model's fixed fields become named baselines, the
        // settings gain the metric's unit and the rules, and the report and table render from it
        Assert.Equal(BenchResults.CurrentVersion, results.Version);
        var rnn = results.Models.Single(m => m.Name == "rnn-1");
        Assert.Equal([new("persistence", 2.1300018665402436), new("mean", 1.0162361534969597)], rnn.Baselines);
        Assert.Equal("mean", rnn.BestBaseline!.Name);
        Assert.Equal(1.1489488468613736 / 1.0162361534969597, rnn.RatioToBestBaseline!.Value, 12);
        Assert.Equal(["persistence", "mean"], results.Settings.Baselines.Select(b => b.Name));
        Assert.Equal("model space", results.Settings.LossUnit);
        Assert.Contains("mean: ŷ_t = the mean training frame", ReportWriter.Render(results));
        Assert.Contains("| 1.016 ★ |", TableWriter.Render(results));
    }

    [Fact]
    public void Should_write_camel_case_json_with_a_version_and_an_iso_utc_date()
    {
        // Given a saved grid
        using var dir = new TempDir();
        BenchFakes.Grid(["gru"], [1]).Save(dir.File(BenchResults.FileName));

        // When the raw JSON is read
        var json = JsonNode.Parse(File.ReadAllText(dir.File(BenchResults.FileName)))!;

        // Then its names are camelCase, it carries the layout version and the date ends in Z
        Assert.Equal(BenchResults.CurrentVersion, (int)json["version"]!);
        var model = json["models"]![0]!;
        Assert.Equal("gru-1", (string)model["name"]!);
        Assert.NotNull(model["lossCurve"]![0]!["iteration"]);
        Assert.Equal("persistence", (string)model["baselines"]![0]!["name"]!);
        Assert.Equal(0.35, (double)model["baselines"]![0]!["loss"]!);
        Assert.Equal("2026-11-25T23:07:00Z", (string)model["provenance"]!["date"]!);
        Assert.Equal(512, (int)json["settings"]!["frameSize"]!);
    }

    [Theory]
    [InlineData("{ not json", "malformed JSON")]
    [InlineData("[1, 2]", "no \"version\"")]
    [InlineData("{\"version\": 99, \"preset\": \"quick\"}", "unknown results version 99")]
    [InlineData("{\"version\": 1, \"preset\": \"quick\", \"models\": []}", "malformed bench results")]
    [InlineData("{\"version\": 1, \"preset\": \"quick\", \"settings\": null, \"models\": []}", "\"settings\" is missing")]
    [InlineData("{\"version\": 1, \"preset\": \"quick\", \"settings\": {\"audio\": null, \"codec\": \"fft\", \"optimizer\": \"sgd\", \"objective\": \"predict\"}, \"models\": []}", "a setting")]
    public void Should_refuse_a_file_that_is_not_bench_results_naming_it(string text, string problem)
    {
        // Given a results.json holding something else
        using var dir = new TempDir();
        string path = dir.File(BenchResults.FileName);
        File.WriteAllText(path, text);

        // When it is loaded
        var e = Assert.Throws<InputException>(() => BenchResults.Load(path));

        // Then the message names the file and says what is wrong
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_file_when_results_are_missing()
    {
        // Given a folder without results.json
        using var dir = new TempDir();

        // When it is loaded
        var e = Assert.Throws<InputException>(() => BenchResults.Load(dir.Path));

        // Then the message names the file it looked for
        Assert.StartsWith(dir.File(BenchResults.FileName) + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_merge_single_cell_runs_into_the_full_grid()
    {
        // Given a full 2 × 2 grid and the same four cells as separate --only runs, in scrambled order
        var full = BenchFakes.Grid(["lstm", "gru"], [1, 2]);
        var parts = new[] { ("gru", 2), ("lstm", 1), ("gru", 1), ("lstm", 2) }
            .Select(c => BenchFakes.Grid([c.Item1], [c.Item2]));

        // When the parts are merged
        var merged = BenchResults.Merge(parts);

        // Then it has the same models in canonical order, the same settings and the same table
        Assert.Equal(["lstm-1", "lstm-2", "gru-1", "gru-2"], merged.Models.Select(m => m.Name));
        Assert.Equal(full.DescribeSettings(), merged.DescribeSettings());
        Assert.Equal(TableWriter.Render(full), TableWriter.Render(merged));
    }

    [Theory]
    [InlineData("window", "window differs: 100 here but 50 in")]
    [InlineData("extra", "match differs: params here but hidden in")]
    [InlineData("preset", "preset differs: essay here but quick in")]
    public void Should_refuse_to_merge_runs_with_different_settings_naming_the_setting_and_both_values(string change, string expected)
    {
        // Given two saved single-cell runs whose settings differ in one place
        using var a = new TempDir();
        using var b = new TempDir();
        BenchFakes.Grid(["lstm"], [1]).Save(a.File(BenchResults.FileName));
        var other = change switch
        {
            "window" => BenchFakes.Grid(["gru"], [1], settings: BenchFakes.Settings() with { Window = 100 }),
            "extra" => BenchFakes.Grid(["gru"], [1], settings: BenchFakes.Settings() with { Extra = new Dictionary<string, string> { ["match"] = "params" } }),
            _ => BenchFakes.Grid(["gru"], [1], preset: "essay"),
        };
        other.Save(b.File(BenchResults.FileName));

        // When they are merged
        var e = Assert.Throws<InputException>(() => BenchResults.Merge([BenchResults.Load(a.Path), BenchResults.Load(b.Path)]));

        // Then the message names the second file, the setting and both values, and the first file
        Assert.StartsWith(b.File(BenchResults.FileName) + ": setting ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(a.File(BenchResults.FileName), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_setting_that_only_one_run_has()
    {
        // Given a second run with an extra setting the first lacks
        var first = BenchFakes.Grid(["lstm"], [1]);
        var second = BenchFakes.Grid(["gru"], [1], settings: BenchFakes.Settings() with
        {
            Extra = new Dictionary<string, string> { ["match"] = "hidden", ["frames"] = "1024" },
        });

        // When merged
        var e = Assert.Throws<InputException>(() => BenchResults.Merge([first, second]));

        // Then the missing setting is named
        Assert.Contains("setting frames differs: 1024 here but (not set)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_to_merge_the_same_model_twice()
    {
        // Given two runs that both trained lstm-1
        var a = BenchFakes.Grid(["lstm"], [1, 2]) with { Source = "a/results.json" };
        var b = BenchFakes.Grid(["lstm"], [1]) with { Source = "b/results.json" };

        // When merged
        var e = Assert.Throws<InputException>(() => BenchResults.Merge([a, b]));

        // Then the duplicate and both folders are named
        Assert.Equal("b/results.json: model lstm-1 is already in a/results.json; each model may come from one folder only", e.Message);
    }

    [Fact]
    public void Should_capture_where_and_when_a_figure_was_measured()
    {
        // Given the moment before capturing
        var before = DateTime.UtcNow.AddSeconds(-1);

        // When the provenance of work on the CPU with 3 threads is captured
        var p = RunProvenance.Capture("cpu", 3);

        // Then it names the device, threads, this library's version, the machine and a UTC time of now
        Assert.Equal(("cpu", 3), (p.Device, p.Threads));
        Assert.StartsWith(typeof(BenchResults).Assembly.GetName().Version!.ToString(3), p.Version, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessorCount, p.CpuCount);
        Assert.False(string.IsNullOrWhiteSpace(p.Os));
        Assert.Equal(DateTimeKind.Utc, p.Date.Kind);
        Assert.InRange(p.Date, before, DateTime.UtcNow);
    }
}

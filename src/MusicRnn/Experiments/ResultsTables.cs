using System.Globalization;
using MusicRnn.Models;

namespace MusicRnn.Experiments;

/// <summary>A table as plain cells, so the Markdown and the HTML report show the same figures.</summary>
/// <param name="Header">Column titles.</param>
/// <param name="RightAligned">Per column: numbers are right-aligned, names left.</param>
/// <param name="Rows">Cells, one list per row, as many as <paramref name="Header"/>.</param>
internal sealed record TextTable(IReadOnlyList<string> Header, IReadOnlyList<bool> RightAligned, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// The two tables of a bench report: the essay's Table 1 (training time by architecture and
/// depth) and one row per model with its size, its errors, every baseline and its ratio to the best.
/// </summary>
internal static class ResultsTables
{
    /// <summary>Placeholder for a cell with no figure.</summary>
    public const string Missing = "–";

    /// <summary>
    /// Whether the essay's own Table 1 (<see cref="ArchitectureInfo.EssaySeconds"/>) belongs beside
    /// ours: only for the presets that rerun the essay ("essay", its described settings, and
    /// "essay-code", what its code ran); elsewhere they compare nothing.
    /// </summary>
    public static bool ShowsEssayFigures(BenchResults results) => results.Preset is "essay" or "essay-code";

    /// <summary>Display name of an architecture as the essay writes it.</summary>
    public static string ArchName(string arch) => Architectures.Find(arch)?.DisplayName ?? arch;

    /// <summary>Depths present in the results, ascending.</summary>
    public static IReadOnlyList<int> Depths(BenchResults results) =>
        results.Models.Select(m => m.Spec.Layers).Distinct().Order().ToList();

    /// <summary>Architectures present in the results, in <see cref="ModelOrder"/>.</summary>
    public static IReadOnlyList<string> Archs(BenchResults results) =>
        results.Models.Select(m => m.Spec.Arch).Distinct()
            .OrderBy(ModelOrder.RankOf).ThenBy(a => a, StringComparer.Ordinal).ToList();

    /// <summary>Table 1: one row per architecture, one column per depth (plus the essay's, where it applies).</summary>
    public static TextTable TrainingTime(BenchResults results)
    {
        bool essay = ShowsEssayFigures(results);
        var depths = Depths(results);
        var header = new List<string> { "Model" };
        foreach (int d in depths)
        {
            header.Add(Layers(d));
            if (essay) header.Add($"{Layers(d)} (essay)");
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (string arch in Archs(results))
        {
            var row = new List<string> { ArchName(arch) };
            foreach (int d in depths)
            {
                // Two results of one arch and depth (differently named) would be ambiguous in a
                // cell; the first in canonical order stands, and all show in the per-model table.
                var m = results.Models.Where(x => x.Spec.Arch == arch && x.Spec.Layers == d).Order(ModelOrder.Instance).FirstOrDefault();
                row.Add(m is null ? Missing : Seconds(m.TrainSeconds));
                if (essay)
                    row.Add(Architectures.Find(arch)?.EssaySeconds is { } s && d >= 1 && d <= s.Count ? s[d - 1].ToString(CultureInfo.InvariantCulture) : Missing);
            }
            rows.Add(row);
        }
        return new TextTable(header, [false, .. Enumerable.Repeat(true, header.Count - 1)], rows);
    }

    /// <summary>Marks the best baseline's figure in a row.</summary>
    public const string BestMark = " ★";

    /// <summary>
    /// One row per model: size, speed, how well it learned, every baseline (the best marked with
    /// <see cref="BestMark"/>) and the final validation loss as a multiple of the best baseline's,
    /// below 1 only when the model beats every rule.
    /// </summary>
    public static TextTable PerModel(BenchResults results)
    {
        string metric = MetricName(results.Settings.LossMetric);
        var baselines = results.Settings.Baselines.Select(b => b.Name).ToList();
        bool judged = baselines.Count > 0;
        string[] header = ["Model", "Layers", "Hidden", "Parameters", "Seconds / epoch", .. judged ? (string[])["Below every baseline after"] : [],
            $"Final train {metric}", $"Final validation {metric}", .. baselines.Select(b => $"{Capitalized(b)} {metric}"),
            .. judged ? (string[])["Validation / best baseline"] : []];
        var rows = results.Models.Order(ModelOrder.Instance).Select(m => (IReadOnlyList<string>)
        [
            m.Name,
            m.Spec.Layers.ToString(CultureInfo.InvariantCulture),
            m.Spec.Hidden.ToString(CultureInfo.InvariantCulture),
            m.Parameters.ToString("N0", CultureInfo.InvariantCulture),
            m.EpochSeconds.Count == 0 ? Missing : Seconds(m.SecondsPerEpoch),
            .. judged ? (string[])[m.BelowBaselines is { } t ? $"{Seconds(t.Seconds)} s (it. {t.Iteration.ToString(CultureInfo.InvariantCulture)})" : "never"] : [],
            Loss(m.FinalTrainLoss),
            m.FinalValidationLoss is { } v ? Loss(v) : Missing,
            .. baselines.Select(name => m.Baselines.FirstOrDefault(b => b.Name == name) is { Loss: { } l } b
                ? Loss(l) + (b == m.BestBaseline ? BestMark : "")
                : Missing),
            .. judged ? (string[])[m.RatioToBestBaseline is { } r ? r.ToString("0.000", CultureInfo.InvariantCulture) : Missing] : [],
        ]).ToList();
        return new TextTable(header, [false, .. Enumerable.Repeat(true, header.Length - 1)], rows);
    }

    /// <summary>Whether the results hold musical metrics to tabulate.</summary>
    public static bool HasMusic(BenchResults results) => results.Reference is not null || results.Models.Any(m => m.Music is not null);

    /// <summary>
    /// One row per model with a measured sample: its tempo and periodicity, timbre distance to the
    /// held-out audio, longest copy of the training audio, longest loop and longest static stretch
    /// (beside the periodicity: a frozen texture with a small steady ripple correlates with itself
    /// one ripple later as well as a beat does), level and silence; then
    /// the song's reference rows, measured the same way (the held-out audio, the song's halves,
    /// white noise), so every figure has the song's beside it.
    /// </summary>
    public static TextTable Music(BenchResults results)
    {
        var c = CultureInfo.InvariantCulture;
        string Num(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, c) : Missing;
        string Dist(double? v) => v is { } x && double.IsFinite(x) ? Distance(x) : Missing;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var m in results.Models.Order(ModelOrder.Instance).Where(m => m.Music is not null || m.Audio is not null))
        {
            var music = m.Music;
            rows.Add([
                m.Name,
                Num(music?.TempoBpm, "F1"),
                Num(music?.Periodicity, "F2"),
                Dist(music?.TimbreDistance),
                Num(music?.CopiedSeconds, "F2"),
                Num(music?.LoopSeconds, "F2"),
                Num(music?.StaticSeconds, "F2"),
                m.Audio is null ? Missing : m.Audio.RmsDbfs is { } db ? db.ToString("F1", c) : "silent",
                m.Audio is null ? Missing : m.Audio.SilenceFraction.ToString("P0", c),
            ]);
        }
        if (results.Reference?.Points is { } r)
        {
            rows.Add(["held-out audio (vs training)", Num(r.HeldOutTempoBpm, "F1"), Num(r.HeldOutPeriodicity, "F2"), Dist(r.HeldOutTimbreDistance),
                Num(r.HeldOutCopiedSeconds, "F2"), Num(r.HeldOutLoopSeconds, "F2"), Missing, Missing, Missing]);
            rows.Add(["song: first half vs second half", Num(r.SongTempoBpm, "F1"), Num(r.SongPeriodicity, "F2"), Dist(r.HalvesTimbreDistance), Missing, Missing, Missing, Missing, Missing]);
            rows.Add(["white noise vs the song", Missing, Missing, Dist(r.NoiseTimbreDistance), Missing, Missing, Missing, Missing, Missing]);
        }
        return new TextTable(
            ["Sample", "Tempo (BPM)", "Periodicity", "Timbre distance (dB²)", "Copies training (s)", "Loops (s)", "Static (s)", "Level (dBFS RMS)", "Silence"],
            [false, true, true, true, true, true, true, true, true], rows);
    }

    /// <summary>The sentence that says how the musical metrics are measured and what the reference rows are.</summary>
    public static string MusicSentence(BenchResults results)
    {
        var tolerance = results.Reference?.Points is { } r
            ? string.Create(CultureInfo.InvariantCulture, $" (within {r.MatchToleranceDb:F1} dB RMS over the bands, 0.4 of the training frames' spread)")
            : "";
        return "Measured on each sample's decoded audio in one log-mel analysis (2048-sample Hann windows, hop 512, 64 bands), the same for every codec: "
            + "tempo at the strongest autocorrelation peak of the spectral-flux onset envelope in 60–200 BPM and that peak's normalised height (periodicity: 1 = every beat repeats exactly, ≈ 0 = noise); "
            + "timbre distance, the Fréchet distance between Gaussians fitted to the log-mel frames of the sample and of the held-out audio; "
            + $"copies, the longest stretch matching consecutive training audio frame by frame{tolerance}; loops, the longest stretch repeating the sample's own audio from at least a second before; "
            + "static, the longest stretch in which the sound does not change (a sample static for most of its length has no beat, whatever its periodicity says: a frozen texture's small steady ripple repeats too). "
            + "The last rows are the song measured the same way: the held-out audio against the training audio (a sample that sounds like the song scores about this), the song's first half against its second half (with the whole song's tempo), and white noise of the song's level and length against the song.";
    }

    /// <summary>A baseline's name as a column title: "persistence" → "Persistence", "sample_tier" → "Sample tier".</summary>
    public static string Capitalized(string name)
    {
        var words = name.Replace('_', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>The distinct "device, N threads" the models ran with, for the table's caption.</summary>
    public static string Hardware(BenchResults results) =>
        string.Join("; ", results.Models
            .Select(m => $"{m.Provenance.Device}, {m.Provenance.Threads} thread{(m.Provenance.Threads == 1 ? "" : "s")}")
            .Distinct());

    /// <summary>A loss metric as people write it: "mse" → "MSE", "normalized mse" → "normalized MSE".</summary>
    public static string MetricName(string metric) =>
        string.Join(' ', metric.Split(' ').Select(w => w is "mse" or "rmse" or "mae" ? w.ToUpperInvariant() : w));

    /// <summary>
    /// The sentence that says what the baselines are, from the results' own rules, or null when the
    /// run had none: the same words in table.md and report.html.
    /// </summary>
    public static string? BaselineSentence(BenchResults results)
    {
        var rules = results.Settings.Baselines;
        if (rules.Count == 0) return null;
        var listed = string.Join("; ", rules.Select(b => $"{b.Name}: {b.Rule}"));
        var unit = results.Settings.LossUnit.Length == 0 ? "" : $", in {results.Settings.LossUnit}";
        return $"Baselines, each measured on the same held-out targets as the models{unit}: {listed}. "
            + $"A model that does not beat the best of them (marked{BestMark}) has learned nothing a one-line rule would not; the last column is its final validation loss as a multiple of that best baseline's.";
    }

    /// <summary>"1 layer", "2 layers".</summary>
    public static string Layers(int d) => d == 1 ? "1 layer" : $"{d} layers";

    /// <summary>Seconds with about three significant digits, the precision a timing deserves.</summary>
    public static string Seconds(double s) =>
        s.ToString(s >= 100 ? "F0" : s >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    /// <summary>A timbre distance (dB²) to about three significant digits, in plain digits however large.</summary>
    public static string Distance(double d) =>
        d.ToString(Math.Abs(d) >= 100 ? "F0" : Math.Abs(d) >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    /// <summary>A loss with four significant digits; NaN and infinities spelled out.</summary>
    public static string Loss(double v) => double.IsFinite(v)
        ? v.ToString("G4", CultureInfo.InvariantCulture)
        : double.IsNaN(v) ? "NaN" : v > 0 ? "∞" : "-∞";
}

using System.Globalization;

namespace MusicRnn.Experiments;

/// <summary>A table as plain cells, so the Markdown and the HTML report show the same figures.</summary>
/// <param name="Header">Column titles.</param>
/// <param name="RightAligned">Per column: numbers are right-aligned, names left.</param>
/// <param name="Rows">Cells, one list per row, as many as <paramref name="Header"/>.</param>
internal sealed record TextTable(IReadOnlyList<string> Header, IReadOnlyList<bool> RightAligned, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// The two tables of a bench report: the essay's Table 1 (training time by architecture and
/// depth) and one row per model with its size and errors.
/// </summary>
internal static class ResultsTables
{
    /// <summary>Placeholder for a cell with no figure.</summary>
    public const string Missing = "–";

    /// <summary>
    /// The essay's Table 1: seconds for 5 epochs on a GTX 960M with Theano, for 1, 2 and 3
    /// layers. Shown beside ours only for the presets that rerun the essay ("essay", its
    /// described settings, and "essay-code", what its code ran); elsewhere they compare nothing.
    /// </summary>
    private static readonly Dictionary<string, int[]> EssaySeconds = new(StringComparer.Ordinal)
    {
        ["gru"] = [215, 507, 761],
        ["cwrnn"] = [393, 892, 1346],
        ["lstm"] = [311, 620, 1868],
        ["rnn"] = [79, 169, 254],
    };

    /// <summary>Whether the essay's own figures belong beside ours.</summary>
    public static bool ShowsEssayFigures(BenchResults results) => results.Preset is "essay" or "essay-code";

    /// <summary>Display name of an architecture as the essay writes it.</summary>
    public static string ArchName(string arch) => arch switch
    {
        "rnn" => "Vanilla RNN",
        "lstm" => "LSTM",
        "gru" => "GRU",
        "cwrnn" => "CW-RNN",
        "logreg" => "Logistic regression",
        "mlp" => "MLP",
        _ => arch,
    };

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
                    row.Add(EssaySeconds.TryGetValue(arch, out var s) && d is >= 1 and <= 3 ? s[d - 1].ToString(CultureInfo.InvariantCulture) : Missing);
            }
            rows.Add(row);
        }
        return new TextTable(header, [false, .. Enumerable.Repeat(true, header.Count - 1)], rows);
    }

    /// <summary>One row per model: size, speed and how well it learned.</summary>
    public static TextTable PerModel(BenchResults results)
    {
        string metric = MetricName(results.Settings.LossMetric);
        string[] header = ["Model", "Layers", "Hidden", "Parameters", "Seconds / epoch",
            $"Final train {metric}", $"Final validation {metric}", $"Persistence {metric}", $"Mean {metric}"];
        var rows = results.Models.Order(ModelOrder.Instance).Select(m => (IReadOnlyList<string>)
        [
            m.Name,
            m.Spec.Layers.ToString(CultureInfo.InvariantCulture),
            m.Spec.Hidden.ToString(CultureInfo.InvariantCulture),
            m.Parameters.ToString("N0", CultureInfo.InvariantCulture),
            m.EpochSeconds.Count == 0 ? Missing : Seconds(m.SecondsPerEpoch),
            Loss(m.FinalTrainLoss),
            m.FinalValidationLoss is { } v ? Loss(v) : Missing,
            m.PersistenceLoss is { } p ? Loss(p) : Missing,
            m.MeanLoss is { } mean ? Loss(mean) : Missing,
        ]).ToList();
        return new TextTable(header, [false, true, true, true, true, true, true, true, true], rows);
    }

    /// <summary>The distinct "device, N threads" the models ran with, for the table's caption.</summary>
    public static string Hardware(BenchResults results) =>
        string.Join("; ", results.Models
            .Select(m => $"{m.Provenance.Device}, {m.Provenance.Threads} thread{(m.Provenance.Threads == 1 ? "" : "s")}")
            .Distinct());

    /// <summary>A loss metric as people write it: "mse" → "MSE", "normalized mse" → "normalized MSE".</summary>
    public static string MetricName(string metric) =>
        string.Join(' ', metric.Split(' ').Select(w => w is "mse" or "rmse" or "mae" ? w.ToUpperInvariant() : w));

    /// <summary>"1 layer", "2 layers".</summary>
    public static string Layers(int d) => d == 1 ? "1 layer" : $"{d} layers";

    /// <summary>Seconds with about three significant digits, the precision a timing deserves.</summary>
    public static string Seconds(double s) =>
        s.ToString(s >= 100 ? "F0" : s >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    /// <summary>A loss with four significant digits; NaN and infinities spelled out.</summary>
    public static string Loss(double v) => double.IsFinite(v)
        ? v.ToString("G4", CultureInfo.InvariantCulture)
        : double.IsNaN(v) ? "NaN" : v > 0 ? "∞" : "-∞";
}

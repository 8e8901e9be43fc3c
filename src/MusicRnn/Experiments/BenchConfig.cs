using System.Globalization;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Experiments;

/// <summary>What a bench grid trains its models to do.</summary>
public enum BenchTask
{
    /// <summary>The essay's task: codec frames of a song, truncated BPTT, a generated sample per model.</summary>
    Frames,

    /// <summary>
    /// Koutník et al.'s sequence generation: a constant input of 1 at every step, a short
    /// excerpt of the song (one sample per step, scaled to [-1, 1]) as the target, one sequence
    /// trained by full BPTT; the figure is MSE divided by the target's variance.
    /// </summary>
    Sequence,
}

/// <summary>How the models of a grid are sized against each other.</summary>
public enum SizeMatch
{
    /// <summary>Every model is as wide as <see cref="BenchConfig.Model"/> (the essay).</summary>
    Hidden,

    /// <summary>Every model gets the hidden width that gives it about the same parameter count (Koutník; Chung et al.).</summary>
    Params,
}

/// <summary>One model of a grid: architecture, depth and, for a parameter-budget grid, the budget.</summary>
/// <param name="Arch">The architecture.</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="Budget">The parameter budget the width is matched to, when the grid is one of budgets.</param>
public sealed record GridCell(Architecture Arch, int Layers, long? Budget = null)
{
    /// <summary>"lstm-2", or "lstm-1-p250" in a budget grid: the model's folder and sample name.</summary>
    public string Name => Budget is { } b
        ? string.Create(CultureInfo.InvariantCulture, $"{Architectures.NameOf(Arch)}-{Layers}-p{b}")
        : string.Create(CultureInfo.InvariantCulture, $"{Architectures.NameOf(Arch)}-{Layers}");

    /// <summary>Parses "ARCH:LAYERS" as <c>--only</c> takes it.</summary>
    public static GridCell Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int layers) || layers is < 1 or > 16)
            throw InputException.ForOption("--only", $"expected ARCH:LAYERS such as lstm:2, got '{text}'");
        return new GridCell(Architectures.Parse(parts[0], "--only", Architectures.Recurrent), layers);
    }
}

/// <summary>
/// Everything a bench run shares across its grid (docs/ARCHITECTURE.md, "Experiments"): one data
/// setting (songs, codec, target, normalizer, held-out fraction), one training setting, one model
/// template, and the grid of models. A preset (<see cref="Presets"/>) is one of these; command-line
/// options override its fields. Each setting is held once: the data in <see cref="Data"/>, the
/// model's shape in <see cref="Model"/>, the truncated BPTT in <see cref="Training"/>.
/// </summary>
public sealed record BenchConfig
{
    /// <summary>The preset this started from ("quick", "essay", "essay-code", "koutnik"); "custom" is never assumed.</summary>
    public required string Preset { get; init; }

    /// <summary>Frame prediction (the essay) or Koutník's sequence generation.</summary>
    public BenchTask Task { get; init; } = BenchTask.Frames;

    /// <summary>
    /// The songs and how they become frames. No audio means the built-in synthesized track, written
    /// into the output folder at <see cref="DataConfig.Codec"/>'s sample rate.
    /// </summary>
    public DataConfig Data { get; init; } = new() { Audio = [], Codec = new CodecSettings("rfft", 512, CodecFactory.DefaultSampleRate) };

    /// <summary>Length of the synthesized track when no audio is given, in seconds.</summary>
    public double TrackSeconds { get; init; } = 20;

    /// <summary>Windows, stride, batch, epochs, optimizer, clip and seed: identical for every model.</summary>
    public TrainingConfig Training { get; init; } = new();

    /// <summary>
    /// The model every cell starts from: hidden width, CW-RNN modules, activation, peepholes, GRU
    /// reset. Each cell sets its architecture and depth (and, in a budget grid, its width).
    /// </summary>
    public ModelSpec Model { get; init; } = new() { HiddenSize = 128 };

    /// <summary>
    /// Per architecture, the <see cref="ModelSpec.Init"/> that replaces <see cref="Model"/>'s (the
    /// koutnik preset: identity for the RNN, chrono for LSTM and GRU); empty = the template's for every
    /// architecture. <c>--init</c> empties it.
    /// </summary>
    public IReadOnlyDictionary<Architecture, RecurrentInit> Inits { get; init; } = new Dictionary<Architecture, RecurrentInit>();

    /// <summary>Architectures of the grid, in the order they are trained.</summary>
    public IReadOnlyList<Architecture> Archs { get; init; } = [.. Architectures.Recurrent.Select(a => a.Arch)];

    /// <summary>Depths of the grid.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [1, 2, 3];

    /// <summary>Equal widths or equal parameter counts.</summary>
    public SizeMatch Match { get; init; } = SizeMatch.Hidden;

    /// <summary>
    /// With <see cref="SizeMatch.Params"/>: the budget every model is sized to; null means the
    /// parameter count of an LSTM of the same depth as wide as <see cref="Model"/>.
    /// </summary>
    public long? ParameterBudget { get; init; }

    /// <summary>A grid over parameter budgets instead (Koutník's 100, 250, 500, 1000); each cell then runs once per budget.</summary>
    public IReadOnlyList<long> Budgets { get; init; } = [];

    /// <summary>Seconds of audio generated by each model into samples/ (0 = none).</summary>
    public double SampleSeconds { get; init; } = 5;

    /// <summary>Seconds of the song's start the generator is primed on.</summary>
    public double PrimeSeconds { get; init; } = 2;

    /// <summary>Sequence task: samples in the target excerpt.</summary>
    public int ExcerptSamples { get; init; } = 320;

    /// <summary>Sequence task: where the excerpt starts in the song, in seconds (moved earlier if the song is shorter).</summary>
    public double ExcerptStart { get; init; } = 0.5;

    /// <summary>
    /// CPU threads the preset runs best with; null = all cores. Small models do per-step work too
    /// small to split, and on a busy machine extra threads only wait on each other. One thread also
    /// makes the figures independent of the machine's core count.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Run only these cells instead of the whole grid (<c>--only</c>); null = all.</summary>
    public IReadOnlyList<GridCell>? Only { get; init; }

    /// <summary>The cells to train, in order: <see cref="Only"/> if given, else archs × layers (× budgets).</summary>
    public IReadOnlyList<GridCell> Cells()
    {
        var grid = Archs.SelectMany(a => Layers.Select(l => (Arch: a, Layers: l))).ToList();
        if (Only is { } only) grid = only.Select(c => (c.Arch, c.Layers)).Distinct().ToList();
        return Budgets.Count == 0
            ? grid.Select(c => new GridCell(c.Arch, c.Layers)).ToList()
            : grid.SelectMany(c => Budgets.Select(b => new GridCell(c.Arch, c.Layers, b))).ToList();
    }

    /// <summary>
    /// The model of <paramref name="cell"/> for frames of <paramref name="features"/> features:
    /// the template's width, the cell's budget, or the grid's parameter budget.
    /// </summary>
    public ModelSpec SpecFor(GridCell cell, int features)
    {
        // A sample-level model reads one level and predicts one logit per level.
        var spec = Model with
        {
            Arch = cell.Arch,
            Layers = cell.Layers,
            InputSize = features,
            OutputSize = Model.SampleLevel?.Levels ?? features,
            Init = Inits.TryGetValue(cell.Arch, out var init) ? init : Model.Init,
        };
        long? budget = cell.Budget ?? (Match == SizeMatch.Params ? ParameterBudget ?? ReferenceBudget(cell.Layers, features) : null);
        return budget is { } p ? spec with { HiddenSize = Models.ParameterBudget.MatchHidden(spec, p) } : spec;
    }

    /// <summary>The parameter count of the reference model for <see cref="SizeMatch.Params"/>: an LSTM of that depth as wide as the template.</summary>
    public long ReferenceBudget(int layers, int features) => Models.ParameterBudget.CountFree(new ModelSpec
    {
        Arch = Architecture.Lstm,
        Layers = layers,
        HiddenSize = Model.HiddenSize,
        InputSize = features,
        OutputSize = features,
    });

    /// <summary>Throws an <see cref="InputException"/> naming the option of the first field out of range (reads no audio).</summary>
    public void Validate()
    {
        Training.Validate();
        if (Archs.Count == 0) throw InputException.ForOption("--archs", "expected at least one architecture");
        if (Layers.Count == 0 || Layers.Any(l => l is < 1 or > 16)) throw InputException.ForOption("--layers", "expected depths from 1 to 16");
        if (Model.HiddenSize <= 0) throw InputException.ForOption("--hidden", $"expected a positive number of units, got {Model.HiddenSize}");
        if (ParameterBudget is <= 0) throw InputException.ForOption("--params", $"expected a positive parameter count, got {ParameterBudget}");
        if (Budgets.Any(b => b <= 0)) throw InputException.ForOption("--budgets", "expected positive parameter counts");
        if (!(TrackSeconds > 0 && TrackSeconds <= 3600)) throw InputException.ForOption("--seconds", $"expected a track length in (0, 3600] seconds, got {TrackSeconds}");
        if (!(SampleSeconds >= 0 && SampleSeconds <= 600)) throw InputException.ForOption("--sample-seconds", $"expected 0 to 600 seconds, got {SampleSeconds}");
        if (!(PrimeSeconds >= 0 && double.IsFinite(PrimeSeconds))) throw InputException.ForOption("--prime-seconds", $"expected zero or more seconds, got {PrimeSeconds}");
        if (ExcerptSamples < 2) throw InputException.ForOption("--excerpt", $"expected at least 2 samples, got {ExcerptSamples}");
        if (!(ExcerptStart >= 0 && double.IsFinite(ExcerptStart))) throw InputException.ForOption("--excerpt-start", $"expected zero or more seconds, got {ExcerptStart}");
        if (Match == SizeMatch.Params && Budgets.Count > 0) throw InputException.ForOption("--match", "a grid of budgets already sizes every model by parameters");
        Data.ValidateSettings();
        if (Task == BenchTask.Sequence && Model.Readout != Readout.Plain)
            throw InputException.ForOption("--readout", "the sequence task's input is a constant 1, not the frame before its target; use --readout plain");
        if (Task == BenchTask.Frames) Model.ValidateFor(Data.Target);
        int features = Task == BenchTask.Frames ? CodecFactory.Create(Data.Codec).FeatureCount : 1;
        foreach (var cell in Cells()) SpecFor(cell, features).Validate();
    }
}

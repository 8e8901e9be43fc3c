using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MusicRnn.Analysis;
using MusicRnn.Generation;
using MusicRnn.Models;
using MusicRnn.Objectives;

namespace MusicRnn.Experiments;

/// <summary>
/// Everything a bench run measured, as saved in its results.json (docs/ARCHITECTURE.md,
/// "Formats"): the settings every model shared and one <see cref="ModelResult"/> per trained
/// model. Folders written by separate <c>--only</c> runs are combined with <see cref="Merge"/>.
/// </summary>
public sealed record BenchResults
{
    /// <summary>The file name a bench run writes its results under.</summary>
    public const string FileName = "results.json";

    /// <summary>
    /// The results.json layout this MusicRnn writes. Version 3 adds the musical metrics: each
    /// model's sample measured on its decoded audio (<c>audio</c>, <c>music</c>, its
    /// <c>spectrogram</c>) and the song's reference points (<c>reference</c>). Version 2 (baselines
    /// by name, no musical metrics) reads as version 3 with those absent; version 1 (fixed
    /// persistence and mean fields) is converted on loading.
    /// </summary>
    public const int CurrentVersion = 3;

    /// <summary>Layout version of the file; <see cref="Load"/> reads this and versions 1 and 2.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Preset the run started from ("quick", "essay", "essay-code", "koutnik", or "custom").</summary>
    public required string Preset { get; init; }

    /// <summary>Data, codec and training settings shared by every model of the grid.</summary>
    public required BenchSettings Settings { get; init; }

    /// <summary>One entry per trained model, names unique.</summary>
    public required IReadOnlyList<ModelResult> Models { get; init; }

    /// <summary>The song the samples were measured against, measured the same way; null when no sample was made (or before version 3).</summary>
    public BenchReference? Reference { get; init; }

    /// <summary>The file these results were loaded from, so errors can name it; never saved.</summary>
    [JsonIgnore]
    public string? Source { get; init; }

    // camelCase and indented so a person can read and diff the file; named NaN/Infinity because
    // a diverged model's loss is a legitimate result and must not make the whole file unwritable.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes the results as JSON to <paramref name="path"/>, creating its folder.</summary>
    public void Save(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
    }

    /// <summary>
    /// Reads results written by <see cref="Save"/>. <paramref name="path"/> may be the file or
    /// the folder holding <see cref="FileName"/>. Throws an <see cref="InputException"/> naming
    /// the file when it is missing, malformed or of another layout version.
    /// </summary>
    public static BenchResults Load(string path)
    {
        if (Directory.Exists(path))
            path = System.IO.Path.Combine(path, FileName);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputException.ForFile(path, $"cannot read bench results: {e.Message}");
        }

        // The version is checked before the full parse so a newer layout is reported as such
        // rather than as whatever field happens to fail first.
        JsonObject root;
        int version;
        try
        {
            var parsed = JsonNode.Parse(text);
            if (parsed is not JsonObject o || o["version"] is not JsonValue v || !v.TryGetValue(out version))
                throw InputException.ForFile(path, "not bench results: no \"version\" number at the top level");
            root = o;
        }
        catch (JsonException e)
        {
            throw InputException.ForFile(path, $"malformed JSON: {e.Message}");
        }
        if (version is not (1 or 2 or CurrentVersion))
            throw InputException.ForFile(path, $"unknown results version {version} (this MusicRnn reads versions 1 to {CurrentVersion})");
        if (version == 1) FromVersion1(root);
        // Version 3 only added fields, each absent (null) where version 2 had nothing to say.
        root["version"] = CurrentVersion;

        BenchResults? results;
        try { results = root.Deserialize<BenchResults>(Json); }
        catch (JsonException e)
        {
            throw InputException.ForFile(path, $"malformed bench results: {e.Message}");
        }
        if (results is null)
            throw InputException.ForFile(path, "malformed bench results: the file holds null");
        results.CheckComplete(path);
        return results with { Source = path };
    }

    /// <summary>
    /// Version 1 had two fixed baseline fields per model and knew only the squared error (or the
    /// Koutník figure, which had no baselines): they become version 2's named lists, in place.
    /// </summary>
    private static void FromVersion1(JsonObject root)
    {
        root["version"] = CurrentVersion;
        if (root["settings"] is JsonObject settings && settings["lossMetric"] is JsonValue metric && metric.TryGetValue(out string? name)
            && name == FrameRegression.MetricName)
        {
            var frames = new FrameRegression(Training.Target.Next);
            settings["lossUnit"] = frames.Unit;
            // Version 1 measured these two only.
            settings["baselines"] = new JsonArray([.. frames.Baselines.Where(b => b.Name is "persistence" or "mean")
                .Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["rule"] = b.Rule })]);
        }
        if (root["models"] is not JsonArray models) return;
        foreach (var model in models.OfType<JsonObject>())
        {
            var baselines = new JsonArray();
            foreach (var (field, baseline) in new[] { ("persistenceLoss", "persistence"), ("meanLoss", "mean") })
            {
                if (model[field] is JsonValue value && value.TryGetValue(out double loss))
                    baselines.Add(new JsonObject { ["name"] = baseline, ["loss"] = loss });
                model.Remove(field);
            }
            model["baselines"] = baselines;
        }
    }

    // System.Text.Json happily leaves a missing list or an explicit null in a non-nullable
    // property; everything downstream indexes these, so they are checked once here.
    private void CheckComplete(string path)
    {
        if (string.IsNullOrWhiteSpace(Preset)) throw InputException.ForFile(path, "malformed bench results: \"preset\" is missing");
        if (Settings is null) throw InputException.ForFile(path, "malformed bench results: \"settings\" is missing");
        if (Settings.Audio is null || Settings.Codec is null || Settings.Optimizer is null || Settings.Objective is null
            || Settings.LossMetric is null || Settings.LossUnit is null || Settings.Baselines is null || Settings.Baselines.Any(b => b?.Name is null || b.Rule is null)
            || Settings.Extra is null || Settings.Extra.Values.Any(v => v is null))
            throw InputException.ForFile(path, "malformed bench results: a setting (audio, codec, optimizer, objective, loss metric, unit, baselines or an extra) is null");
        if (Models is null) throw InputException.ForFile(path, "malformed bench results: \"models\" is missing");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in Models)
        {
            if (m is null || string.IsNullOrWhiteSpace(m.Name) || m.Spec is null || m.EpochSeconds is null
                || m.LossCurve is null || m.ValidationLoss is null || m.Provenance is null || m.Baselines is null || m.Baselines.Any(b => b?.Name is null))
                throw InputException.ForFile(path, "malformed bench results: a model entry lacks its name, spec, timings, curves, baselines or provenance");
            if (!seen.Add(m.Name))
                throw InputException.ForFile(path, $"malformed bench results: model \"{m.Name}\" appears twice");
        }
    }

    /// <summary>
    /// Combines the results of several runs of one grid (typically one <c>--only</c> cell each)
    /// into one, models in the canonical order of <see cref="ModelOrder"/>. Throws an
    /// <see cref="InputException"/> when the runs used different settings (naming the first
    /// setting that differs and both values) or trained a model of the same name twice.
    /// </summary>
    public static BenchResults Merge(IEnumerable<BenchResults> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var list = parts.ToList();
        if (list.Count == 0)
            throw new InputException("no bench results to merge");

        var first = list[0];
        var firstSettings = first.DescribeSettings();
        var owner = new Dictionary<string, BenchResults>(StringComparer.Ordinal);
        foreach (var part in list)
        {
            var settings = part.DescribeSettings();
            foreach (var (name, value) in settings)
            {
                // A setting missing from one side (an extra) differs as much as a changed value.
                string other = firstSettings.FirstOrDefault(s => s.Name == name).Value ?? "(not set)";
                if (other != value)
                    throw Refuse(part, $"setting {name} differs: {value} here but {other} in {NameOf(first)}");
            }
            foreach (var (name, value) in firstSettings)
                if (!settings.Any(s => s.Name == name))
                    throw Refuse(part, $"setting {name} differs: (not set) here but {value} in {NameOf(first)}");
            foreach (var model in part.Models)
                if (!owner.TryAdd(model.Name, part))
                    throw Refuse(part, $"model {model.Name} is already in {NameOf(owner[model.Name])}; each model may come from one folder only");
        }

        var models = list.SelectMany(p => p.Models).OrderBy(m => m, ModelOrder.Instance).ToList();
        // Equal settings mean the same song, so any part's reference is every part's.
        return new BenchResults { Preset = first.Preset, Settings = first.Settings, Models = models, Reference = list.Select(p => p.Reference).FirstOrDefault(r => r is not null) };
    }

    private static string NameOf(BenchResults r) => r.Source ?? "the first results";

    private static InputException Refuse(BenchResults part, string problem) =>
        part.Source is { } s ? InputException.ForFile(s, problem) : new InputException(problem);

    /// <summary>
    /// Every setting that must agree for two runs to be comparable, as (name, value) pairs in a
    /// fixed order: the preset followed by <see cref="BenchSettings.Describe"/>.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> DescribeSettings() =>
        [("preset", Preset), .. Settings.Describe()];
}

/// <summary>Settings every model of one bench grid shares: data, codec, windows and training.</summary>
public sealed record BenchSettings
{
    /// <summary>The song trained on, as a file name (not a path, so runs on other machines compare equal).</summary>
    public required string Audio { get; init; }

    /// <summary>Codec name ("fft", "rfft", "mdct", "raw").</summary>
    public required string Codec { get; init; }

    /// <summary>Samples per codec frame.</summary>
    public int FrameSize { get; init; }

    /// <summary>Sample rate the song was resampled to, in Hz.</summary>
    public int SampleRate { get; init; }

    /// <summary>Frames per training window (the BPTT length).</summary>
    public int Window { get; init; }

    /// <summary>Frames between the starts of consecutive windows.</summary>
    public int Stride { get; init; }

    /// <summary>Windows per minibatch.</summary>
    public int Batch { get; init; }

    /// <summary>Passes over the training windows.</summary>
    public int Epochs { get; init; }

    /// <summary>Optimizer name ("rmsprop", "adagrad", "adam", "sgd").</summary>
    public required string Optimizer { get; init; }

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Training target ("next" frame, or "reconstruct" the input; Koutník's "constant input to excerpt").</summary>
    public required string Objective { get; init; }

    /// <summary>Name of the figure the losses are in: the objective's <see cref="Objectives.Objective.Name"/> ("mse", "normalized mse").</summary>
    public string LossMetric { get; init; } = FrameRegression.MetricName;

    /// <summary>What the losses are measured in ("model space", "bits per sample").</summary>
    public string LossUnit { get; init; } = "";

    /// <summary>The baselines every model is judged against, by name with their rules, in the objective's order.</summary>
    public IReadOnlyList<BaselineRule> Baselines { get; init; } = [];

    /// <summary>Seed of every random draw (weights, shuffling, generation).</summary>
    public long Seed { get; init; }

    /// <summary>Any further setting a preset fixes (e.g. "match": "params"); compared by <see cref="BenchResults.Merge"/> too.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>The settings as (name, value) pairs, in a fixed order, for display and comparison.</summary>
    public IReadOnlyList<(string Name, string Value)> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var list = new List<(string, string)>
        {
            ("audio", Audio),
            ("codec", Codec),
            ("frame", FrameSize.ToString(c)),
            ("sample rate", SampleRate.ToString(c)),
            ("window", Window.ToString(c)),
            ("stride", Stride.ToString(c)),
            ("batch", Batch.ToString(c)),
            ("epochs", Epochs.ToString(c)),
            ("optimizer", Optimizer),
            ("learning rate", LearningRate.ToString("R", c)),
            ("objective", Objective),
            ("loss", LossUnit.Length == 0 ? LossMetric : $"{LossMetric} ({LossUnit})"),
            ("baselines", Baselines.Count == 0 ? "none" : string.Join(", ", Baselines.Select(b => b.Name))),
            ("seed", Seed.ToString(c)),
        };
        list.AddRange((Extra ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)));
        return list;
    }
}

/// <summary>What one model of the grid achieved and how long it took.</summary>
public sealed record ModelResult
{
    /// <summary>Architecture and depth, e.g. "lstm-2"; also the sample's file name.</summary>
    public required string Name { get; init; }

    /// <summary>The model's shape.</summary>
    public required ModelSummary Spec { get; init; }

    /// <summary>Trainable parameters.</summary>
    public long Parameters { get; init; }

    /// <summary>Wall-clock seconds of each training epoch, in order.</summary>
    public required IReadOnlyList<double> EpochSeconds { get; init; }

    /// <summary>Wall-clock seconds for the whole model: training, validation and the sample.</summary>
    public double TotalSeconds { get; init; }

    /// <summary>Training loss against update number (1-based), as logged.</summary>
    public required IReadOnlyList<LossPoint> LossCurve { get; init; }

    /// <summary>Validation loss after each epoch; empty when there was no validation split.</summary>
    public required IReadOnlyList<double> ValidationLoss { get; init; }

    /// <summary>Training loss over the last epoch.</summary>
    public double FinalTrainLoss { get; init; }

    /// <summary>Validation loss after the last epoch; null without a validation split.</summary>
    public double? FinalValidationLoss { get; init; }

    /// <summary>Each baseline's loss on the same held-out targets, in the settings' order (empty where there are none, e.g. koutnik).</summary>
    public IReadOnlyList<BaselineLoss> Baselines { get; init; } = [];

    /// <summary>The baseline with the lowest measured loss, the bar the model must clear; null when none was measured.</summary>
    [JsonIgnore]
    public BaselineLoss? BestBaseline => Baselines.Where(b => b.Loss is { } l && double.IsFinite(l)).MinBy(b => b.Loss);

    /// <summary>The final validation loss over the best baseline's (below 1: the model beats every rule); null without either.</summary>
    [JsonIgnore]
    public double? RatioToBestBaseline => FinalValidationLoss is { } v && BestBaseline?.Loss is { } b && b > 0 ? v / b : null;

    /// <summary>
    /// When the validation loss first fell below every baseline (the essay's criterion: the time a
    /// model takes to reach an error): training seconds and iteration; null if it never did (or
    /// nothing was held out).
    /// </summary>
    public TimeToTarget? BelowBaselines { get; init; }

    /// <summary>The generated sample, relative to the results folder ("samples/lstm-2.wav"); null if none.</summary>
    public string? Sample { get; init; }

    /// <summary>The picture of the sample's log-mel spectrogram, relative to the results folder ("samples/lstm-2.png"); null if none.</summary>
    public string? Spectrogram { get; init; }

    /// <summary>Level, silence and flatness of the sample as written; null without a sample.</summary>
    public AudioMetrics? Audio { get; init; }

    /// <summary>The sample's tempo, timbre distance, copies and loops on its decoded audio; null without a sample or a song to measure against.</summary>
    public MusicalMetrics? Music { get; init; }

    /// <summary>Where and when this model's figures were measured.</summary>
    public required RunProvenance Provenance { get; init; }

    /// <summary>Seconds for all epochs: the figure the essay's Table 1 gives.</summary>
    public double TrainSeconds => EpochSeconds.Sum();

    /// <summary>Mean seconds per epoch (0 when no epoch ran).</summary>
    public double SecondsPerEpoch => EpochSeconds.Count == 0 ? 0 : EpochSeconds.Average();
}

/// <summary>
/// The song a bench's samples are measured against, measured the same way once per run: its
/// reference points, and the picture of the training excerpt each sample's spectrogram is shown
/// beside (the audio that follows the prime, as long as a sample: what a sample that continued the
/// song exactly would be).
/// </summary>
public sealed record BenchReference
{
    /// <summary>The held-out audio's tempo and timbre, the song's halves, white noise.</summary>
    public required MusicalReferencePoints Points { get; init; }

    /// <summary>The training excerpt's spectrogram, relative to the results folder; null when none was drawn.</summary>
    public string? Excerpt { get; init; }

    /// <summary>Where the excerpt starts in the first training song, in seconds.</summary>
    public double ExcerptStartSeconds { get; init; }

    /// <summary>Length of the excerpt in seconds.</summary>
    public double ExcerptSeconds { get; init; }
}

/// <summary>How long a model took to reach a target loss.</summary>
/// <param name="Seconds">Training seconds (validation excluded) until the validation that first reached it.</param>
/// <param name="Iteration">The iteration that validation followed.</param>
public sealed record TimeToTarget(double Seconds, long Iteration);

/// <summary>A baseline as results describe it.</summary>
/// <param name="Name">Its name (the validation log's column is <c>{Name}_loss</c>).</param>
/// <param name="Rule">The rule in a line.</param>
public sealed record BaselineRule(string Name, string Rule);

/// <summary>One logged point of a training curve.</summary>
/// <param name="Iteration">Update number, from 1.</param>
/// <param name="Loss">Training loss of that update (or a running mean up to it).</param>
public sealed record LossPoint(long Iteration, double Loss);

/// <summary>
/// The shape of a model as plain strings and numbers, so results.json stays readable and
/// loadable even if <see cref="ModelSpec"/> grows.
/// </summary>
public sealed record ModelSummary
{
    /// <summary>Architecture, lower case: "rnn", "lstm", "gru", "cwrnn", "logreg", "mlp".</summary>
    public required string Arch { get; init; }

    /// <summary>Stacked layers.</summary>
    public int Layers { get; init; }

    /// <summary>Hidden units per layer.</summary>
    public int Hidden { get; init; }

    /// <summary>Features per input frame.</summary>
    public int InputSize { get; init; }

    /// <summary>Features per output frame.</summary>
    public int OutputSize { get; init; }

    /// <summary>"tanh" or "sigmoid" for rnn and cwrnn; null otherwise.</summary>
    public string? Activation { get; init; }

    /// <summary>LSTM only: diagonal peepholes; null for other architectures.</summary>
    public bool? Peepholes { get; init; }

    /// <summary>GRU only: "before" or "after"; null for other architectures.</summary>
    public string? GruReset { get; init; }

    /// <summary>The initialisation when not the default ("identity", "chrono"); null for the default.</summary>
    public string? Init { get; init; }

    /// <summary>With chrono initialisation: T_max in steps; null otherwise.</summary>
    public int? ChronoSteps { get; init; }

    /// <summary>CW-RNN only: modules; null for other architectures.</summary>
    public int? Modules { get; init; }

    /// <summary>CW-RNN only: the period of each module; null for other architectures.</summary>
    public IReadOnlyList<int>? Periods { get; init; }

    /// <summary>The readout when not the essay's plain head ("residual", "scaled"); null for the plain head.</summary>
    public string? Readout { get; init; }

    /// <summary>The summary of <paramref name="spec"/>, keeping only the fields its architecture uses.</summary>
    public static ModelSummary From(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool recurrentTanh = spec.Arch is Architecture.Rnn or Architecture.CwRnn;
        return new ModelSummary
        {
            Arch = Architectures.NameOf(spec.Arch),
            Layers = spec.Layers,
            Hidden = spec.HiddenSize,
            InputSize = spec.InputSize,
            OutputSize = spec.OutputSize,
            Activation = recurrentTanh ? spec.Activation.ToString().ToLowerInvariant() : null,
            Peepholes = spec.Arch == Architecture.Lstm ? spec.Peepholes : null,
            GruReset = spec.Arch == Architecture.Gru ? spec.GruReset.ToString().ToLowerInvariant() : null,
            Init = spec.Init == RecurrentInit.Default ? null : spec.Init.ToString().ToLowerInvariant(),
            ChronoSteps = spec.Init == RecurrentInit.Chrono ? spec.ChronoSteps : null,
            Modules = spec.Arch == Architecture.CwRnn ? spec.Modules : null,
            Periods = spec.Arch == Architecture.CwRnn ? Enumerable.Range(0, spec.Modules).Select(spec.PeriodOf).ToList() : null,
            Readout = spec.Readout == Models.Readout.Plain ? null : spec.Readout.ToString().ToLowerInvariant(),
        };
    }
}

/// <summary>
/// How a model's figures were obtained. Kept per model rather than per run because a merged
/// grid may have been trained on several machines, and timings only compare on one.
/// </summary>
public sealed record RunProvenance
{
    /// <summary>Torch device ("cpu", "cuda:0").</summary>
    public required string Device { get; init; }

    /// <summary>Intra-op threads torch used.</summary>
    public int Threads { get; init; }

    /// <summary>MusicRnn's informational version (with the commit when built from git).</summary>
    public required string Version { get; init; }

    /// <summary>When the model finished, UTC.</summary>
    public DateTime Date { get; init; }

    /// <summary>Operating system description.</summary>
    public required string Os { get; init; }

    /// <summary>Logical processors of the machine.</summary>
    public int CpuCount { get; init; }

    /// <summary>The provenance of work done now, in this process, on <paramref name="device"/> with <paramref name="threads"/> threads.</summary>
    public static RunProvenance Capture(string device, int threads)
    {
        var now = DateTime.UtcNow;
        return new()
        {
            Device = device,
            Threads = threads,
            Version = MusicRnnVersion,
            // Whole seconds: sub-second precision says nothing about a training run and clutters the file.
            Date = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc),
            Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            CpuCount = Environment.ProcessorCount,
        };
    }

    /// <summary>The informational version of the MusicRnn library.</summary>
    public static string MusicRnnVersion =>
        typeof(RunProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RunProvenance).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}

/// <summary>
/// The order models are listed in everywhere (results, tables, plots): by architecture in the
/// order of <see cref="Architectures.All"/> (rnn, lstm, gru, cwrnn, then the others; unknown names
/// last, alphabetically), then by depth and size, so a merged grid reads the same whatever order
/// its cells finished in.
/// </summary>
public sealed class ModelOrder : IComparer<ModelResult>
{
    /// <summary>The one instance; the order has no state.</summary>
    public static readonly ModelOrder Instance = new();

    private ModelOrder() { }

    /// <summary>Rank of an architecture name in the canonical order; unknown names come last.</summary>
    public static int RankOf(string arch) => Architectures.RankOf(arch);

    public int Compare(ModelResult? x, ModelResult? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int c = RankOf(x.Spec.Arch).CompareTo(RankOf(y.Spec.Arch));
        if (c == 0) c = string.CompareOrdinal(x.Spec.Arch, y.Spec.Arch);
        if (c == 0) c = x.Spec.Layers.CompareTo(y.Spec.Layers);
        // Several models of one cell (the koutnik budgets) read smallest first.
        if (c == 0) c = x.Parameters.CompareTo(y.Parameters);
        return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
    }
}

using System.CommandLine;
using MusicRnn.Codecs;
using MusicRnn.Training;

namespace MusicRnn.Cli.Options;

/// <summary>
/// The options that set a <see cref="DataConfig"/> — which audio, how it becomes frames, the
/// target and the held-out part — shared by <c>train</c>, <c>bench</c> and <c>demo</c>. Each is
/// null unless given, so the record it is applied to (the defaults, or a preset) keeps its own value.
/// </summary>
internal sealed class DataOptions
{
    private readonly Option<string[]> _audio;
    private readonly Option<string?> _codec = new("--codec") { Description = $"frame codec: {string.Join(", ", CodecFactory.Names)}" };
    private readonly Option<int?> _frame = new("--frame") { Description = "frame length in samples" };
    private readonly Option<int?> _sampleRate = new("--sample-rate") { Description = "resample audio to this rate (Hz)" };
    private readonly Option<int?> _hop = new("--hop") { Description = "stft/mel: samples between frame starts (default frame/4)" };
    private readonly Option<int?> _melBands = new("--mel-bands") { Description = "mel: mel bands per frame (default 128)" };
    private readonly Option<int?> _phaseIterations = new("--phase-iters") { Description = "stft/mel: Griffin-Lim iterations when decoding (default 32)" };
    private readonly Option<NormalizerKind?> _normalize = Choice.Of<NormalizerKind>("--normalize", "how features map to model space");
    private readonly Option<Target?> _target = Choice.Of<Target>("--objective", "the target of frame x_t: the next frame or x_t itself");
    private readonly Option<double?> _validate = new("--validate") { Description = "fraction of each song held out at its end" };
    private readonly Option<int?> _maxFrames = new("--max-frames") { Description = "use only the first N frames of each song" };

    /// <param name="audioRequired">Whether <c>--audio</c> must be given (train) or may be left out (a bench synthesizes its song).</param>
    /// <param name="audioDescription">What <c>--audio</c> means for the command.</param>
    /// <param name="defaults">The values used when an option is not given, shown in the help; null when they are a preset's.</param>
    public DataOptions(bool audioRequired, string audioDescription, DataConfig? defaults)
    {
        _audio = new Option<string[]>("--audio") { Description = audioDescription, Required = audioRequired, AllowMultipleArgumentsPerToken = true };
        if (defaults is null) return;
        TrainingOptions.Default(_codec, defaults.Codec.Name);
        TrainingOptions.Default(_frame, defaults.Codec.FrameLength);
        TrainingOptions.Default(_sampleRate, defaults.Codec.SampleRate);
        TrainingOptions.Default(_normalize, Choice.NameOf(defaults.Normalize));
        TrainingOptions.Default(_target, Choice.NameOf(defaults.Target));
        TrainingOptions.Default(_validate, defaults.ValidateFraction);
    }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { _audio, _codec, _frame, _sampleRate, _hop, _melBands, _phaseIterations, _normalize, _target, _validate, _maxFrames })
            command.Options.Add(o);
    }

    /// <summary>Whether <c>--normalize</c> was given (train picks minmax for logistic regression otherwise).</summary>
    public bool NormalizeGiven(ParseResult parsed) => parsed.GetValue(_normalize) is not null;

    /// <summary><paramref name="baseline"/> with every given option put in its place (not validated: the caller validates the whole).</summary>
    public DataConfig Apply(ParseResult parsed, DataConfig baseline)
    {
        var codec = baseline.Codec;
        if (parsed.GetValue(_codec) is { } name) codec = codec with { Name = name.Trim().ToLowerInvariant() };
        if (parsed.GetValue(_frame) is { } frame) codec = codec with { FrameLength = frame };
        if (parsed.GetValue(_sampleRate) is { } rate) codec = codec with { SampleRate = rate };
        if (parsed.GetValue(_hop) is { } hop) codec = codec with { Hop = hop };
        if (parsed.GetValue(_melBands) is { } bands) codec = codec with { MelBands = bands };
        if (parsed.GetValue(_phaseIterations) is { } iterations) codec = codec with { PhaseIterations = iterations };
        var data = baseline with { Codec = codec };
        if (parsed.GetValue(_audio) is { Length: > 0 } audio) data = data with { Audio = audio };
        if (parsed.GetValue(_normalize) is { } normalize) data = data with { Normalize = normalize };
        if (parsed.GetValue(_target) is { } target) data = data with { Target = target };
        if (parsed.GetValue(_validate) is { } validate) data = data with { ValidateFraction = validate };
        if (parsed.GetValue(_maxFrames) is { } maxFrames) data = data with { MaxFrames = maxFrames };
        return data;
    }
}

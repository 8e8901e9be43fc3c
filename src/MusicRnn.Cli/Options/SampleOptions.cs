using System.CommandLine;
using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Cli.Options;

/// <summary>
/// The options of a sample-level model (<c>--predict samples</c>): its tiers, frame, quantization
/// and sample tier, shared by <c>train</c> and <c>bench</c>; null unless given. <c>--levels</c> is held
/// twice by construction (the codec quantizes to it, the model predicts it) and set here in both.
/// </summary>
internal sealed class SampleOptions
{
    private readonly Option<int?> _frame = new("--sample-frame") { Description = "samples: samples per frame-tier step, and samples the sample tier sees (default 16)" };
    private readonly Option<int?> _tiers = new("--tiers") { Description = "samples: 1 (the sample tier alone), 2 (a frame tier) or 3 (a slower tier above it) (default 2)" };
    private readonly Option<int?> _topRatio = new("--top-ratio") { Description = "samples, 3 tiers: frame-tier steps per step of the tier above (default 4)" };
    private readonly Option<int?> _levels = new("--levels") { Description = "samples: quantization levels, the softmax's size (default 256)" };
    private readonly Option<string?> _quantize = new("--quantize") { Description = "samples: how samples become levels: mulaw or linear (default mulaw)" };
    private readonly Option<int?> _mlp = new("--mlp") { Description = "samples: width of the sample tier's MLP and embeddings (default 256)" };

    private Option[] All => [_frame, _tiers, _topRatio, _levels, _quantize, _mlp];

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The option given among these, for a frame model that must refuse it; null when none was.</summary>
    public string? FirstGiven(ParseResult parsed) => All.FirstOrDefault(o => parsed.GetResult(o) is not null)?.Name;

    /// <summary><paramref name="data"/> and <paramref name="spec"/> with every given option put in its place (not validated).</summary>
    public (DataConfig Data, ModelSpec Spec) Apply(ParseResult parsed, DataConfig data, ModelSpec spec)
    {
        var sample = spec.SampleLevel ?? new SampleLevelSpec();
        var codec = data.Codec;
        if (parsed.GetValue(_quantize) is { } quantize)
        {
            string name = quantize.Trim().ToLowerInvariant();
            if (name is not ("mulaw" or "linear")) throw InputException.ForOption("--quantize", $"expected mulaw or linear, got '{quantize}'");
            codec = codec with { Name = name };
        }
        if (parsed.GetValue(_levels) is { } levels)
        {
            sample = sample with { Levels = levels };
            codec = codec with { Levels = levels };
        }
        if (parsed.GetValue(_frame) is { } frame) sample = sample with { FrameSize = frame };
        if (parsed.GetValue(_tiers) is { } tiers) sample = sample with { Tiers = tiers };
        if (parsed.GetValue(_topRatio) is { } ratio) sample = sample with { TopRatio = ratio };
        if (parsed.GetValue(_mlp) is { } mlp) sample = sample with { MlpSize = mlp };
        return (data with { Codec = codec }, spec with { SampleLevel = sample });
    }
}

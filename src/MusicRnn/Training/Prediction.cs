using MusicRnn.Codecs;
using MusicRnn.Models;

namespace MusicRnn.Training;

/// <summary>What a model predicts (<c>--predict</c>): the essay's codec frames, or the next quantized sample.</summary>
public enum Prediction
{
    /// <summary>The next codec frame (the essay's task; a regression in model space).</summary>
    Frames,

    /// <summary>The next audio sample as one of L levels (SampleRNN; a categorical in bits per sample).</summary>
    Samples,
}

/// <summary>
/// The settings a sample-level model starts from (docs/ARCHITECTURE.md, "Models"), chosen so the
/// default model learns a song on 2 CPU cores in minutes: SampleRNN's 2-tier model (Mehri et al.
/// 2017) at 16 kHz and 8-bit mu-law, with a frame tier of one GRU of 256 units over frames of 16
/// samples (libtorch's reset-after GRU, PyTorch's and the paper's code's), per-position embeddings of
/// 256 summed into a 2-layer MLP of 256, trained by Adam at 1e-3 on 32 parallel streams of 1024
/// samples with the state carried from window to window (windows end to end: stride = window).
/// </summary>
public static class SampleLevelDefaults
{
    /// <summary>Sample rate of the sample-level models' audio: the paper's 16 kHz.</summary>
    public const int SampleRate = 16_000;

    /// <summary>The data: mu-law levels of 16 kHz audio, no normalizer (the levels are the input).</summary>
    public static DataConfig Data { get; } = new()
    {
        Audio = [],
        Codec = new CodecSettings("mulaw", 1, SampleRate),
        Normalize = NormalizerKind.None,
    };

    /// <summary>The model: a GRU frame tier of 256 units under the default <see cref="SampleLevelSpec"/>.</summary>
    public static ModelSpec Model { get; } = new()
    {
        Arch = Architecture.Gru,
        GruReset = GruReset.After,
        HiddenSize = 256,
        Layers = 1,
        SampleLevel = new SampleLevelSpec(),
    };

    /// <summary>
    /// The default model with <paramref name="arch"/> as its frame tier, reading one level and
    /// predicting every level: what <c>train --predict samples --arch</c> builds when nothing else
    /// is given (each architecture's own spec defaults: peepholes, tanh, 8 CW-RNN modules of periods 2^i).
    /// </summary>
    public static ModelSpec ModelFor(Architecture arch) =>
        Model with { Arch = arch, InputSize = 1, OutputSize = Model.SampleLevel!.Levels };

    /// <summary>Truncated BPTT over windows of 1024 samples laid end to end, 32 streams, Adam 1e-3, clipped at norm 1.</summary>
    public static TrainingConfig Training { get; } = new()
    {
        Window = 1024,
        Stride = 1024,
        Batch = 32,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 1e-3,
        Clip = 1,
        Epochs = 10,
    };
}

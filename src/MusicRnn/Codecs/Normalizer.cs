using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>How features are mapped to model space (<c>--normalize</c>).</summary>
public enum NormalizerKind
{
    /// <summary>Per feature: subtract the mean, divide by the standard deviation (default).</summary>
    ZScore,

    /// <summary>Per feature: map the range [min, max] to [0, 1] (for the logistic-regression baseline).</summary>
    MinMax,

    /// <summary>Leave features as they are.</summary>
    None,
}

/// <summary>
/// The affine map between codec features and model space, model = (x − shift) / scale per
/// feature, with statistics taken from the training audio and saved with the model
/// (<c>normalizer.shift</c>, <c>normalizer.scale</c>, docs/ARCHITECTURE.md, "Checkpoints").
/// </summary>
/// <remarks>
/// The normalizer owns <see cref="Shift"/> and <see cref="Scale"/>. They are kept out of every
/// dispose scope, so a normalizer fitted inside a training step's scope stays valid after it;
/// dispose the normalizer to free them early (the GC frees them otherwise).
/// </remarks>
public sealed class Normalizer : IDisposable
{
    /// <summary>Smallest scale: a feature that never changes (silence, a DC bin) maps to 0 instead of NaN.</summary>
    public const double MinScale = 1e-8;

    /// <summary>The names <c>--normalize</c> accepts, in <see cref="NormalizerKind"/> order.</summary>
    public static IReadOnlyList<string> KindNames { get; } = ["zscore", "minmax", "none"];

    private Normalizer(NormalizerKind kind, Tensor shift, Tensor scale)
    {
        Kind = kind;
        Shift = shift.DetachFromDisposeScope();
        Scale = scale.DetachFromDisposeScope();
    }

    /// <summary>Which statistics the map came from.</summary>
    public NormalizerKind Kind { get; }

    /// <summary>Per-feature shift, [features] float32 on the CPU. Owned by the normalizer: do not dispose.</summary>
    public Tensor Shift { get; }

    /// <summary>Per-feature scale (≥ <see cref="MinScale"/> when fitted), [features] float32 on the CPU. Owned by the normalizer.</summary>
    public Tensor Scale { get; }

    /// <summary>Features per frame.</summary>
    public int FeatureCount => (int)Shift.shape[0];

    /// <summary>The kind named <paramref name="name"/> (zscore, minmax or none, any case).</summary>
    /// <exception cref="InputException">for any other name.</exception>
    public static NormalizerKind ParseKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "zscore" => NormalizerKind.ZScore,
            "minmax" => NormalizerKind.MinMax,
            "none" => NormalizerKind.None,
            _ => throw InputException.ForOption("--normalize", $"unknown normalizer '{name}'; expected one of {string.Join(", ", KindNames)}"),
        };
    }

    /// <summary>The command-line (and config.json) name of <paramref name="kind"/>.</summary>
    public static string NameOf(NormalizerKind kind) => kind switch
    {
        NormalizerKind.ZScore => "zscore",
        NormalizerKind.MinMax => "minmax",
        NormalizerKind.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown normalizer kind"),
    };

    /// <summary>Fits statistics to the frames of one song.</summary>
    /// <param name="kind">Which statistics to fit.</param>
    /// <param name="frames">[frames, features], any device and real dtype; not disposed.</param>
    public static Normalizer Fit(NormalizerKind kind, Tensor frames) => Fit(kind, [frames]);

    /// <summary>
    /// Fits statistics to all frames of several songs together, as if they were one, without
    /// concatenating them: per-song means and squared deviations are merged with Chan et al.'s
    /// pairwise update, which stays accurate where Σx² − (Σx)²/n would cancel.
    /// </summary>
    /// <param name="kind">Which statistics to fit.</param>
    /// <param name="songs">Each [frames, features] with the same feature count; not disposed.</param>
    /// <exception cref="ArgumentException">when the feature counts differ, or zscore/minmax has no frame to fit.</exception>
    public static Normalizer Fit(NormalizerKind kind, IEnumerable<Tensor> songs)
    {
        ArgumentNullException.ThrowIfNull(songs);
        using var scope = NewDisposeScope();
        long features = -1, count = 0;
        Tensor? mean = null, squares = null, min = null, max = null;   // [features] float64
        foreach (var song in songs)
        {
            if (song.ndim != 2)
                throw new ArgumentException($"frames must be [frames, features], not [{string.Join(", ", song.shape)}]", nameof(songs));
            if (features >= 0 && song.shape[1] != features)
                throw new ArgumentException($"songs have {features} and {song.shape[1]} features per frame", nameof(songs));
            features = song.shape[1];
            var n = song.shape[0];
            if (n == 0 || kind == NormalizerKind.None)
                continue;
            // One song at a time in float64: only the [features] running statistics leave the
            // inner scope, so a whole music collection is never held twice.
            using var songScope = NewDisposeScope();
            var x = song.detach().to(ScalarType.Float64, CPU);
            var songMean = x.mean([0]);
            using var one = 1.ToScalar();
            using var two = 2.ToScalar();
            var songSquares = (x - songMean).pow(two).sum([0]);
            var songMin = x.amin([0]);
            var songMax = x.amax([0]);
            if (mean is null || squares is null || min is null || max is null)
            {
                (mean, squares, min, max) = (songMean, songSquares, songMin, songMax);
            }
            else
            {
                var total = count + n;
                var delta = songMean - mean;
                using var meanWeight = ((double)n / total).ToScalar();
                using var squaresWeight = ((double)count * n / total).ToScalar();
                mean = mean.add(delta.mul(meanWeight), one);
                squares = squares.add(songSquares.add(delta.pow(two).mul(squaresWeight), one), one);
                min = minimum(min, songMin);
                max = maximum(max, songMax);
            }
            mean.MoveToOuterDisposeScope();
            squares.MoveToOuterDisposeScope();
            min.MoveToOuterDisposeScope();
            max.MoveToOuterDisposeScope();
            count += n;
        }
        if (features < 0)
            throw new ArgumentException("no song to fit the normalizer to", nameof(songs));

        Tensor shift, scale;
        switch (kind)
        {
            case NormalizerKind.None:
                shift = zeros(features, dtype: ScalarType.Float64);
                scale = ones(features, dtype: ScalarType.Float64);
                break;
            case NormalizerKind.ZScore when mean is not null && squares is not null:
                // Population standard deviation: the statistics describe these frames, not a sample.
                shift = mean;
                using (var frames = count.ToScalar())
                using (var least = MinScale.ToScalar())
                    scale = squares.div(frames).sqrt().clamp_min(least);
                break;
            case NormalizerKind.MinMax when min is not null && max is not null:
                shift = min;
                using (var least = MinScale.ToScalar())
                    scale = (max - min).clamp_min(least);
                break;
            case NormalizerKind.ZScore or NormalizerKind.MinMax:
                throw new ArgumentException($"no frame to fit the {NameOf(kind)} normalizer to", nameof(songs));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown normalizer kind");
        }
        return new Normalizer(kind, shift.to_type(ScalarType.Float32), scale.to_type(ScalarType.Float32));
    }

    /// <summary>Rebuilds a normalizer from saved tensors (checkpoint loading). The tensors are copied, not taken over.</summary>
    /// <param name="kind">The kind the statistics came from (config.json).</param>
    /// <param name="shift">[features], any device and real dtype.</param>
    /// <param name="scale">[features], positive and finite.</param>
    /// <exception cref="ArgumentException">when the shapes disagree or a scale is not positive and finite.</exception>
    public static Normalizer FromTensors(NormalizerKind kind, Tensor shift, Tensor scale)
    {
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(scale);
        if (shift.ndim != 1 || scale.ndim != 1 || shift.shape[0] != scale.shape[0])
            throw new ArgumentException(
                $"shift and scale must both be [features], not [{string.Join(", ", shift.shape)}] and [{string.Join(", ", scale.shape)}]");
        using var scope = NewDisposeScope();
        var shift32 = shift.detach().to(ScalarType.Float32, CPU, copy: true);
        var scale32 = scale.detach().to(ScalarType.Float32, CPU, copy: true);
        if (!shift32.isfinite().all().item<bool>())
            throw new ArgumentException("the normalizer shift has a non-finite entry", nameof(shift));
        using var zero = 0.ToScalar();
        if (!(scale32.isfinite().all().item<bool>() && scale32.gt(zero).all().item<bool>()))
            throw new ArgumentException("the normalizer scale must be positive and finite", nameof(scale));
        return new Normalizer(kind, shift32, scale32);
    }

    /// <summary>Features to model space: (x − shift) / scale.</summary>
    /// <param name="x">[..., features], any device and float dtype; not disposed. The result matches its device and dtype.</param>
    public Tensor Normalize(Tensor x)
    {
        CheckFeatures(x);
        using var scope = NewDisposeScope();
        return ((x - Shift.to(x.dtype, x.device)) / Scale.to(x.dtype, x.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Model space back to features: y·scale + shift.</summary>
    /// <param name="y">[..., features], any device and float dtype; not disposed.</param>
    public Tensor Denormalize(Tensor y)
    {
        CheckFeatures(y);
        using var scope = NewDisposeScope();
        using var one = 1.ToScalar();
        return (y * Scale.to(y.dtype, y.device)).add(Shift.to(y.dtype, y.device), one).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Shift.Dispose();
        Scale.Dispose();
    }

    private void CheckFeatures(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.ndim == 0 || x.shape[^1] != FeatureCount)
            throw new ArgumentException(
                $"the normalizer maps [..., {FeatureCount}] tensors, not [{string.Join(", ", x.shape)}]", nameof(x));
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>How far generated frames are from the training song (the essay found its output "essentially a direct copy").</summary>
public sealed record NoveltyMetrics
{
    /// <summary>The longest run of generated frames j, j+1, … that matches consecutive training frames k, k+1, ….</summary>
    public long LongestCopiedRun { get; init; }

    /// <summary>Where that run starts in the generated frames (−1 when nothing matched).</summary>
    public long CopiedRunGeneratedStart { get; init; }

    /// <summary>Where that run starts in the training frames (−1 when nothing matched).</summary>
    public long CopiedRunTrainingStart { get; init; }

    /// <summary>Mean over generated frames of the L2 distance (model space) to the nearest training frame.</summary>
    public double MeanNearestDistance { get; init; }

    /// <summary>The scale distances are judged against: root mean square of the training frames' L2 norms.</summary>
    public double TrainingFrameRms { get; init; }

    /// <summary>Two frames match when their distance is at most this fraction of <see cref="TrainingFrameRms"/>.</summary>
    public double RelativeTolerance { get; init; }

    /// <summary>Generated frames compared.</summary>
    public long GeneratedFrames { get; init; }

    /// <summary>Training frames compared against.</summary>
    public long TrainingFrames { get; init; }
}

/// <summary>
/// Compares generated frames, as they are made, with every training frame (both in model space)
/// and keeps the <see cref="NoveltyMetrics"/>, holding no more than the training frames and one
/// row of run lengths.
/// </summary>
/// <remarks>
/// Match rule: generated frame g matches training frame t when ‖g − t‖₂ ≤ τ·s, with τ the relative
/// tolerance (default 0.05) and s the RMS norm of the training frames. One global scale, not each
/// frame's own norm, so that near-silent training frames (norm ≈ 0) do not get a tolerance of ≈ 0.
/// Copied runs: with M[j, k] the match of generated j and training k, the run ending at (j, k) is
/// R[j, k] = M[j, k] · (R[j − 1, k − 1] + 1), the longest-common-substring recurrence under a
/// tolerance; only the previous row R[j − 1, ·] is kept. Distances are computed on torch as
/// ‖g‖² + ‖t‖² − 2 g·t (one matmul per batch of generated rows, sized so a batch's distance matrix
/// stays ≈ 16 MB); in float32 this leaves an absolute error of about 1e-7·‖t‖² in the squared
/// distance, far below the tolerance.
/// </remarks>
public sealed class NoveltyTracker : IDisposable
{
    private const long DistanceMatrixElements = 1 << 22;

    private readonly Tensor training;        // [T, I] float32
    private readonly Tensor trainingNorms;   // ‖t‖², [1, T]
    private readonly double tolerance;       // absolute distance τ·s
    private readonly double relativeTolerance;
    private readonly double trainingRms;
    private int[] previousRun;               // R[j − 1, ·], [T]
    private int[] currentRun;
    private long generated;
    private double nearestSum;
    private long bestRun;
    private long bestGeneratedEnd = -1;
    private long bestTrainingEnd = -1;

    /// <param name="trainingFrames">Training frames [T, I] in model space (copied; not disposed).</param>
    /// <param name="relativeTolerance">τ, the match tolerance as a fraction of the training frames' RMS norm.</param>
    public NoveltyTracker(Tensor trainingFrames, double relativeTolerance = 0.05)
    {
        ArgumentNullException.ThrowIfNull(trainingFrames);
        ArgumentOutOfRangeException.ThrowIfNegative(relativeTolerance);
        if (trainingFrames.ndim != 2 || trainingFrames.shape[0] == 0)
            throw new ArgumentException($"expected training frames [T > 0, features], got [{string.Join(", ", trainingFrames.shape)}]", nameof(trainingFrames));
        using (var scope = NewDisposeScope())
        {
            training = trainingFrames.to(ScalarType.Float32).detach().clone().MoveToOuterDisposeScope();
            using var two = 2.ToScalar();
            var norms = training.pow(two).sum(new long[] { 1 });                  // [T]
            trainingRms = Math.Sqrt(norms.to(ScalarType.Float64).mean().item<double>());
            trainingNorms = norms.unsqueeze(0).MoveToOuterDisposeScope();         // [1, T]
        }
        this.relativeTolerance = relativeTolerance;
        tolerance = relativeTolerance * trainingRms;
        previousRun = new int[training.shape[0]];
        currentRun = new int[training.shape[0]];
    }

    /// <summary>Compares the next generated frames [chunk, I] (model space; not disposed).</summary>
    public void Add(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.ndim != 2 || frames.shape[1] != training.shape[1])
            throw new ArgumentException($"expected frames [chunk, {training.shape[1]}], got [{string.Join(", ", frames.shape)}]", nameof(frames));
        var trainingCount = (int)training.shape[0];
        var rows = (int)Math.Clamp(DistanceMatrixElements / trainingCount, 1, 256);
        var threshold = (float)(tolerance * tolerance);
        for (long start = 0; start < frames.shape[0]; start += rows)
        {
            var count = (int)Math.Min(rows, frames.shape[0] - start);
            float[] squared;
            using (var scope = NewDisposeScope())
            {
                using var one = 1.ToScalar();
                using var two = 2.ToScalar();
                using var zero = 0.ToScalar();
                var g = frames.narrow(0, start, count).to(ScalarType.Float32, training.device);   // [c, I]
                var d2 = (g.pow(two).sum(new long[] { 1 }, keepdim: true).add(trainingNorms, one) - g.matmul(training.t()).mul(two))
                    .clamp_min(zero);                                                               // [c, T]
                squared = d2.cpu().contiguous().data<float>().ToArray();
            }
            for (var j = 0; j < count; j++)
                Step(squared.AsSpan(j * trainingCount, trainingCount), threshold);
        }
    }

    /// <summary>The metrics of the frames added so far.</summary>
    public NoveltyMetrics Result() => new()
    {
        LongestCopiedRun = bestRun,
        CopiedRunGeneratedStart = bestRun == 0 ? -1 : bestGeneratedEnd - bestRun + 1,
        CopiedRunTrainingStart = bestRun == 0 ? -1 : bestTrainingEnd - bestRun + 1,
        MeanNearestDistance = generated == 0 ? 0 : nearestSum / generated,
        TrainingFrameRms = trainingRms,
        RelativeTolerance = relativeTolerance,
        GeneratedFrames = generated,
        TrainingFrames = training.shape[0],
    };

    public void Dispose()
    {
        training.Dispose();
        trainingNorms.Dispose();
    }

    /// <summary>One generated frame: its nearest distance, and one row of the run recurrence.</summary>
    private void Step(ReadOnlySpan<float> squared, float threshold)
    {
        var nearest = float.PositiveInfinity;
        for (var k = 0; k < squared.Length; k++)
        {
            var d = squared[k];
            if (d < nearest) nearest = d;
            var run = d <= threshold ? (k > 0 ? previousRun[k - 1] : 0) + 1 : 0;
            currentRun[k] = run;
            if (run > bestRun)
            {
                bestRun = run;
                bestGeneratedEnd = generated;
                bestTrainingEnd = k;
            }
        }
        nearestSum += Math.Sqrt(nearest);
        (previousRun, currentRun) = (currentRun, previousRun);
        generated++;
    }
}

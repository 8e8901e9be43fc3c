using System.Globalization;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// Linear prediction: ŷ_t = W [x_t, x_{t−1}, …, x_{t−k+1}] + b, a ridge regression of the target
/// frame on the previous k frames, fitted in closed form on the training frames only. The
/// strongest of the frame rules on overlapping magnitude spectra, where a frame is mostly its
/// predecessors' weighted sum (docs/ARCHITECTURE.md, "Objectives").
/// </summary>
/// <remarks>
/// Fit: with X the rows of k stacked frames (the newest first) and Y their targets, both centred
/// on their training means (so the bias b = ȳ − W x̄ is not shrunk),
/// W = Yᵀ X (Xᵀ X + λ I)⁻¹, solved by a Cholesky factorisation in float64.
/// Choice of k and λ, on the training part only: each song's training head is split 90/10; every
/// candidate k ∈ {1, 2, 4, 8} (those with k·D ≤ <see cref="MaxInputs"/>) and
/// λ = ρ · tr(XᵀX)/(k·D) with ρ ∈ {10⁻⁶, 10⁻⁴, 10⁻², 1} is fitted on the first 90 % and scored on
/// the last 10 %; the best pair is refitted on the whole head and measured on the held-out tail,
/// where the first frames' predecessors come from the end of the head (the context a model has too).
/// A song shorter than k + shift + 1 frames gives no rows. The chosen k and ρ are the measurement's
/// <see cref="BaselineLoss.Detail"/>.
/// </remarks>
/// <param name="objective">Scores the rule's predictions and says how far ahead the target is.</param>
internal sealed class LinearPredictionBaseline(FrameObjective objective) : Baseline
{
    /// <summary>The largest k·D fitted: the normal equations are (k·D)² float64 values (128 MB at 4096).</summary>
    public const int MaxInputs = 4096;

    private static readonly int[] Orders = [1, 2, 4, 8];
    private static readonly double[] Ridges = [1e-6, 1e-4, 1e-2, 1];
    private const double InnerFraction = 0.1;

    public override string Name => "linear";

    public override string Rule => "ŷ_t = a ridge regression on the previous k frames, k ≤ 8 and λ chosen on the training frames";

    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        if (songs.All(s => s.TailStart >= s.FrameCount)) return new(Name, null);
        int features = (int)songs[0].Frames.shape[1];
        int shift = objective.TargetShift;
        using var scope = NewDisposeScope();

        // Choose k and λ on the training heads alone: fit on their first 90 %, score on the rest.
        (int Order, double Ridge, double Loss) best = (0, 0, double.PositiveInfinity);
        foreach (int k in Orders.Where(k => k * features <= MaxInputs))
        {
            // Each order's rows and normal equations are freed before the next: memory stays that of one fit.
            using var orderScope = NewDisposeScope();
            var fitRanges = songs.Select(s => (s, From: 0, To: InnerSplit(s))).ToList();
            var scoreRanges = songs.Select(s => (s, From: InnerSplit(s), To: s.TailStart)).ToList();
            var normal = Normal(fitRanges, k, shift);
            if (normal is null) continue;
            foreach (double rho in Ridges)
            {
                using var ridgeScope = NewDisposeScope();
                var model = Solve(normal.Value, rho, k * features);
                if (model is null) continue;
                var score = Score(model.Value, scoreRanges, k, shift);
                if (score.Mean is { } inner && inner < best.Loss) best = (k, rho, inner);
            }
        }
        if (best.Order == 0) return new(Name, null);

        var whole = Normal(songs.Select(s => (s, From: 0, To: s.TailStart)).ToList(), best.Order, shift);
        var fitted = whole is null ? null : Solve(whole.Value, best.Ridge, best.Order * features);
        if (fitted is null) return new(Name, null);
        var loss = Score(fitted.Value, songs.Select(s => (s, From: s.TailStart, To: s.FrameCount)).ToList(), best.Order, shift).Mean;
        return new(Name, loss, string.Create(CultureInfo.InvariantCulture, $"k = {best.Order}, λ = {best.Ridge:G1}·tr(XᵀX)/(kD)"));
    }

    /// <summary>Where a song's training head splits into the part fitted and the part the choice is scored on.</summary>
    private static int InnerSplit(TrainingSong song) => song.TailStart - (int)Math.Round(song.TailStart * InnerFraction);

    /// <summary>
    /// The rows whose targets lie in [from, to): inputs [n, k·D] (frame t, then t − 1, …) and targets [n, D],
    /// float64; null when the range holds none.
    /// </summary>
    private static (Tensor X, Tensor Y)? Rows(TrainingSong song, int from, int to, int k, int shift)
    {
        // Target index j = t + shift needs t − k + 1 ≥ 0.
        int first = Math.Max(from, k - 1 + shift), count = to - first;
        if (count <= 0) return null;
        var frames = song.Frames.to_type(ScalarType.Float64);
        var lags = Enumerable.Range(0, k).Select(lag => frames.narrow(0, first - shift - lag, count)).ToArray();
        return (cat(lags, 1), frames.narrow(0, first, count));
    }

    /// <summary>The centred normal equations of the rows in <paramref name="ranges"/>: XᵀX, XᵀY and the means.</summary>
    private static (Tensor XtX, Tensor XtY, Tensor MeanX, Tensor MeanY)? Normal(List<(TrainingSong Song, int From, int To)> ranges, int k, int shift)
    {
        var rows = ranges.Select(r => Rows(r.Song, r.From, r.To, k, shift)).OfType<(Tensor X, Tensor Y)>().ToList();
        if (rows.Count == 0) return null;
        var x = cat(rows.Select(r => r.X).ToArray(), 0);
        var y = cat(rows.Select(r => r.Y).ToArray(), 0);
        if (x.shape[0] < 2) return null;
        var (meanX, meanY) = (x.mean([0L]), y.mean([0L]));
        var (xc, yc) = (x - meanX, y - meanY);
        return (xc.t().matmul(xc), xc.t().matmul(yc), meanX, meanY);
    }

    /// <summary>W [k·D, D] and b [D] for ridge factor <paramref name="rho"/>; null when the system is not positive definite.</summary>
    private static (Tensor W, Tensor B)? Solve((Tensor XtX, Tensor XtY, Tensor MeanX, Tensor MeanY) normal, double rho, int inputs)
    {
        double lambda = rho * Math.Max(normal.XtX.diagonal().sum().item<double>() / inputs, 1e-12);
        using var ridge = lambda.ToScalar();
        var system = normal.XtX.add(eye(inputs, dtype: ScalarType.Float64), ridge);
        var (factor, info) = linalg.cholesky_ex(system);
        if (info.item<int>() != 0) return null;
        var w = cholesky_solve(normal.XtY, factor);             // [k·D, D]
        return (w, normal.MeanY - normal.MeanX.matmul(w));       // b = ȳ − x̄ W
    }

    /// <summary>The objective's score of the fitted rule on the targets in <paramref name="ranges"/>.</summary>
    private MetricSum Score((Tensor W, Tensor B) model, List<(TrainingSong Song, int From, int To)> ranges, int k, int shift)
    {
        var total = default(MetricSum);
        foreach (var (song, from, to) in ranges)
        {
            using var songScope = NewDisposeScope();
            if (Rows(song, from, to, k, shift) is not { } rows) continue;
            using var one = 1.ToScalar();
            total += objective.Score(rows.X.matmul(model.W).add(model.B, one), rows.Y);
        }
        return total;
    }
}

using MusicRnn.Training;

namespace MusicRnn.Objectives;

/// <summary>
/// The counting rules of sample-level prediction, in bits per held-out sample: what a model of
/// quantized audio must beat before its recurrence means anything. Counts come from every song's
/// training head only; add-one (Laplace) smoothing gives every level a count, so no held-out
/// sample costs infinitely many bits.
/// </summary>
internal static class SampleCounts
{
    /// <summary>The songs' level indices, heads and tails, as managed arrays.</summary>
    public static List<(int[] Levels, int TailStart)> Read(IReadOnlyList<TrainingSong> songs)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        return [.. songs.Select(s => (s.Frames.reshape(-1).to_type(TorchSharp.torch.ScalarType.Int32).cpu().data<int>().ToArray(), s.TailStart))];
    }

    /// <summary>−log₂ of a smoothed probability (count + 1) / (total + outcomes).</summary>
    public static double Bits(long count, long total, int outcomes) => -Math.Log2((count + 1.0) / (total + outcomes));
}

/// <summary>The unigram: p(x) = (c(x) + 1) / (N + L), the training histogram of levels, add-one smoothed.</summary>
/// <param name="objective">Says how many levels there are.</param>
internal sealed class UnigramBaseline(SampleCategorical objective) : Baseline
{
    public override string Name => "unigram";

    public override string Rule => "p(x_t) = the training histogram of levels, add-one smoothed";

    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        int levels = objective.Levels;
        var counts = new long[levels];
        long total = 0;
        var read = SampleCounts.Read(songs);
        foreach (var (x, tail) in read)
            for (int t = 0; t < tail; t++) { counts[x[t]]++; total++; }
        double bits = 0;
        long scored = 0;
        foreach (var (x, tail) in read)
            for (int t = Math.Max(tail, 1); t < x.Length; t++) { bits += SampleCounts.Bits(counts[x[t]], total, levels); scored++; }
        return new(Name, scored == 0 ? null : bits / scored);
    }
}

/// <summary>The bigram: p(x_t | x_{t−1}) = (c(x_{t−1}, x_t) + 1) / (c(x_{t−1}) + L), from the training heads, add-one smoothed.</summary>
/// <param name="objective">Says how many levels there are.</param>
internal sealed class BigramBaseline(SampleCategorical objective) : Baseline
{
    public override string Name => "bigram";

    public override string Rule => "p(x_t | x_{t−1}) = the training pair counts, add-one smoothed";

    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        int levels = objective.Levels;
        var pairs = new long[levels * levels];
        var firsts = new long[levels];
        var read = SampleCounts.Read(songs);
        foreach (var (x, tail) in read)
            for (int t = 1; t < tail; t++) { pairs[(x[t - 1] * levels) + x[t]]++; firsts[x[t - 1]]++; }
        double bits = 0;
        long scored = 0;
        foreach (var (x, tail) in read)
            for (int t = Math.Max(tail, 1); t < x.Length; t++)
            {
                bits += SampleCounts.Bits(pairs[(x[t - 1] * levels) + x[t]], firsts[x[t - 1]], levels);
                scored++;
            }
        return new(Name, scored == 0 ? null : bits / scored);
    }
}

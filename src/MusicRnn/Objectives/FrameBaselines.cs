using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// Persistence, ŷ_t = x_t: "the target is the frame just heard". Strong where frames change slowly
/// (magnitude spectra of overlapping frames), weak where they do not repeat (phases of
/// non-overlapping FFT frames). For reconstruction it is 0 by definition.
/// </summary>
/// <param name="objective">Scores the rule's predictions and says how far ahead the target is.</param>
internal sealed class PersistenceBaseline(FrameObjective objective) : Baseline
{
    public override string Name => "persistence";

    public override string Rule => "ŷ_t = x_t (the frame just heard)";

    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        var shift = objective.TargetShift;
        var total = default(MetricSum);
        foreach (var song in songs)
        {
            var (first, count) = (song.TailStart - shift, song.FrameCount - song.TailStart);
            if (count == 0) continue;
            using var scope = NewDisposeScope();
            total += objective.Score(song.Frames.narrow(0, first, count), song.Frames.narrow(0, first + shift, count));
        }
        return new(Name, total.Mean);
    }
}

/// <summary>
/// The mean frame, ŷ_t = the mean of every song's frames before its tail (per feature): what a
/// model learns when it learns only the song's average spectrum. With the z-score normalizer its
/// squared error is about 1.
/// </summary>
/// <param name="objective">Scores the rule's predictions.</param>
internal sealed class MeanFrameBaseline(FrameObjective objective) : Baseline
{
    public override string Name => "mean";

    public override string Rule => "ŷ_t = the mean training frame";

    public override BaselineLoss Measure(IReadOnlyList<TrainingSong> songs)
    {
        using var scope = NewDisposeScope();
        var heads = songs.Where(s => s.TailStart > 0 && s.TailStart < s.FrameCount).ToArray();
        if (heads.Length == 0) return new(Name, null);
        // In float64: the mean of many frames, and its error, should not carry float32 rounding.
        var training = cat(heads.Select(s => s.Frames.narrow(0, 0, s.TailStart).to_type(ScalarType.Float64)).ToArray(), 0); // [frames, D]
        var mean = training.mean([0L]);                                                                                      // [D]
        var total = default(MetricSum);
        foreach (var song in heads)
            total += objective.Score(mean, song.Frames.narrow(0, song.TailStart, song.FrameCount - song.TailStart).to_type(ScalarType.Float64));
        return new(Name, total.Mean);
    }
}

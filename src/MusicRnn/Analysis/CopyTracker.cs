using static TorchSharp.torch;

namespace MusicRnn.Analysis;

/// <summary>The longest stretch of a sample that copies consecutive training audio.</summary>
public sealed record CopyMetrics
{
    /// <summary>Length of that stretch in seconds (the audio its matching frames span); 0 when nothing matched.</summary>
    public double Seconds { get; init; }

    /// <summary>Where the stretch starts in the sample, in seconds; null when nothing matched.</summary>
    public double? SampleStartSeconds { get; init; }

    /// <summary>Where the copied audio starts in the training audio, in seconds; null when nothing matched.</summary>
    public double? TrainingStartSeconds { get; init; }

    /// <summary>Analysis frames (hop apart) in the stretch.</summary>
    public long Frames { get; init; }
}

/// <summary>
/// Novelty on decoded audio: compares each log-mel frame of a sample, as the sample is made, with
/// every frame of the training audio, and keeps the longest run of sample frames that matches
/// consecutive training frames (<see cref="FrameMatching"/> says when frames match). Holds the
/// training frames and one row of run lengths.
/// </summary>
/// <remarks>
/// This is the model-space NoveltyTracker's recurrence carried to audio. With M[j, i] whether sample
/// frame j matches training frame i of the fine grid (P = <see cref="FrameMatching.Phases"/> frames
/// per hop), the copy ending there has length R[j, i] = M[j, i]·(R[j − 1, i − P] + 1): the next
/// sample frame, a hop later, must match the training frame a hop later in the same phase — the
/// longest common substring under a tolerance, on P interleaved grids at once. Only R[j − 1, ·] is
/// kept. Squared distances come from one matmul per batch of sample frames, ‖g‖² + ‖t‖² − 2g·t,
/// with every frame first centred on the training mean so that the float32 products of levels tens
/// of dB from 0 lose nothing that matters: their rounding (≈ 0.03 dB²) is four orders below the
/// squared threshold B·(τ·s)². Memory: the training frames (P·64 floats a hop: half the size of the
/// float32 audio) and the row; a batch's products are capped at 4 M floats.
/// </remarks>
public sealed class CopyTracker : IDisposable
{
    private const long ProductElements = 1 << 22;

    private readonly FrameMatching matching;
    private readonly int bands;
    private readonly int trainingCount;
    private readonly double[] centre;          // mean training frame
    private readonly Tensor training;          // centred fine frames [T, B], float32
    private readonly float[] trainingNorms;    // ‖t‖²
    private readonly bool[] trainingSilent;
    private int[] previousRun;
    private int[] currentRun;
    private long sampleFrames;
    private long bestRun;
    private long bestSampleEnd = -1;
    private long bestTrainingEnd = -1;

    /// <param name="fineTraining">The training audio's frames in <see cref="FrameMatching.FineSettings"/> (hop/P apart).</param>
    /// <param name="matching">The match rule.</param>
    public CopyTracker(LogMelFrames fineTraining, FrameMatching matching)
    {
        ArgumentNullException.ThrowIfNull(fineTraining);
        ArgumentNullException.ThrowIfNull(matching);
        if (fineTraining.Bands != matching.Settings.Bands)
            throw new ArgumentException($"expected {matching.Settings.Bands}-band frames, got {fineTraining.Bands}", nameof(fineTraining));
        this.matching = matching;
        bands = fineTraining.Bands;
        trainingCount = fineTraining.Count;
        centre = new double[bands];
        trainingSilent = new bool[trainingCount];
        for (var i = 0; i < trainingCount; i++)
        {
            var frame = fineTraining.Frame(i);
            trainingSilent[i] = FrameMatching.IsSilent(frame, matching.Settings.SilenceDb);
            for (var b = 0; b < bands; b++) centre[b] += frame[b];
        }
        for (var b = 0; b < bands; b++) centre[b] /= Math.Max(1, trainingCount);
        var centred = Centre(fineTraining.Values);
        trainingNorms = SquaredNorms(centred);
        training = tensor(centred, new long[] { trainingCount, bands }, ScalarType.Float32);
        previousRun = new int[trainingCount];
        currentRun = new int[trainingCount];
    }

    /// <summary>Compares the next frames of the sample (the coarse analysis, a hop apart).</summary>
    public void Add(LogMelFrames frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Bands != bands) throw new ArgumentException($"expected {bands}-band frames, got {frames.Bands}", nameof(frames));
        if (trainingCount == 0)
        {
            sampleFrames += frames.Count;
            return;
        }
        var rows = (int)Math.Clamp(ProductElements / trainingCount, 1, 256);
        for (var start = 0; start < frames.Count; start += rows)
        {
            var count = Math.Min(rows, frames.Count - start);
            var centred = Centre(frames.Values.Slice(start * bands, count * bands));
            var norms = SquaredNorms(centred);
            float[] products;
            using (NewDisposeScope())
            {
                var g = tensor(centred, new long[] { count, bands }, ScalarType.Float32);
                products = g.matmul(training.t()).flatten().data<float>().ToArray();   // [count, T], flattened to copy out fast
            }
            for (var j = 0; j < count; j++)
            {
                var silent = FrameMatching.IsSilent(frames.Frame(start + j), matching.Settings.SilenceDb);
                Step(products.AsSpan(j * trainingCount, trainingCount), norms[j], silent);
            }
        }
    }

    /// <summary>The longest copy so far.</summary>
    public CopyMetrics Result()
    {
        var s = matching.Settings;
        var rate = matching.SampleRate;
        if (bestRun == 0) return new CopyMetrics();
        var sampleStart = bestSampleEnd - bestRun + 1;
        var trainingStart = bestTrainingEnd - ((bestRun - 1) * matching.Phases);
        return new CopyMetrics
        {
            Seconds = s.SpanSeconds(bestRun, rate),
            SampleStartSeconds = s.StartSeconds(sampleStart, s.Hop, rate),
            TrainingStartSeconds = s.StartSeconds(trainingStart, matching.FineSettings.Hop, rate),
            Frames = bestRun,
        };
    }

    public void Dispose() => training.Dispose();

    /// <summary>One sample frame: one row of the run recurrence.</summary>
    private void Step(ReadOnlySpan<float> products, float norm, bool silent)
    {
        var threshold = matching.SquaredThreshold;
        var phases = matching.Phases;
        for (var i = 0; i < trainingCount; i++)
        {
            var squared = norm + trainingNorms[i] - (2.0 * products[i]);
            var match = !silent && !trainingSilent[i] && squared <= threshold;
            var run = match ? (i >= phases ? previousRun[i - phases] : 0) + 1 : 0;
            currentRun[i] = run;
            if (run > bestRun)
            {
                bestRun = run;
                bestSampleEnd = sampleFrames;
                bestTrainingEnd = i;
            }
        }
        (previousRun, currentRun) = (currentRun, previousRun);
        sampleFrames++;
    }

    private float[] Centre(ReadOnlySpan<float> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = (float)(values[i] - centre[i % bands]);
        return result;
    }

    private float[] SquaredNorms(float[] centred)
    {
        var norms = new float[centred.Length / bands];
        for (var t = 0; t < norms.Length; t++)
        {
            double sum = 0;
            for (var b = 0; b < bands; b++) sum += (double)centred[(t * bands) + b] * centred[(t * bands) + b];
            norms[t] = (float)sum;
        }
        return norms;
    }
}

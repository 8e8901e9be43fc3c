using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Objectives;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>
/// The songs of a training run in model space, with what a checkpoint must remember about
/// where they came from: the codec, the normalizer and each file's content hash.
/// Owns the song tensors and the normalizer's.
/// </summary>
public sealed class TrainingData : IDisposable
{
    /// <param name="songs">Normalized songs, in training order.</param>
    /// <param name="records">Path, hash and frame count of each song, same order.</param>
    /// <param name="codec">How the frames were made.</param>
    /// <param name="normalizerKind">zscore, minmax or none.</param>
    /// <param name="shift">Normalizer shift [features]; model = (x − shift) / scale.</param>
    /// <param name="scale">Normalizer scale [features].</param>
    /// <param name="target">Which frame is the target of x_t.</param>
    /// <param name="validateFraction">Fraction of each song held out at its end.</param>
    public TrainingData(IReadOnlyList<TrainingSong> songs, IReadOnlyList<SongRecord> records, CodecSettings codec,
        NormalizerKind normalizerKind, Tensor shift, Tensor scale, Target target, double validateFraction)
    {
        if (songs.Count == 0) throw new ArgumentException("expected at least one song", nameof(songs));
        if (songs.Count != records.Count) throw new ArgumentException("one record per song", nameof(records));
        Songs = songs;
        Records = records;
        Codec = codec;
        NormalizerKind = normalizerKind;
        Shift = shift;
        Scale = scale;
        Target = target;
        ValidateFraction = validateFraction;
    }

    /// <summary>Normalized songs, in training order.</summary>
    public IReadOnlyList<TrainingSong> Songs { get; }

    /// <summary>Path, hash and frame count of each song.</summary>
    public IReadOnlyList<SongRecord> Records { get; }

    /// <summary>How the frames were made.</summary>
    public CodecSettings Codec { get; }

    /// <summary>Which statistics the normalizer came from.</summary>
    public NormalizerKind NormalizerKind { get; }

    /// <summary>Normalizer shift [features].</summary>
    public Tensor Shift { get; }

    /// <summary>Normalizer scale [features].</summary>
    public Tensor Scale { get; }

    /// <summary>Which frame is the target of x_t.</summary>
    public Target Target { get; }

    /// <summary>Fraction of each song held out at its end.</summary>
    public double ValidateFraction { get; }

    /// <summary>Features per frame.</summary>
    public int FeatureCount => (int)Songs[0].Frames.shape[1];

    /// <summary>
    /// The objective's baselines on these songs' held-out tails, measured once per objective: the
    /// models of a bench grid share one data set, and a fitted rule (linear prediction) costs seconds.
    /// </summary>
    public IReadOnlyList<BaselineLoss> Baselines(Objective objective)
    {
        if (!_baselines.TryGetValue(objective, out var measured))
            _baselines[objective] = measured = objective.MeasureBaselines(Songs);
        return measured;
    }

    private readonly Dictionary<Objective, IReadOnlyList<BaselineLoss>> _baselines = [];

    /// <summary>The normalizer's statistics under their checkpoint names (<see cref="Checkpoint.NormalizerFile"/>).</summary>
    public IReadOnlyDictionary<string, Tensor> NormalizerTensors => new Dictionary<string, Tensor>
    {
        [Checkpoint.NormalizerShift] = Shift,
        [Checkpoint.NormalizerScale] = Scale,
    };

    /// <summary>
    /// Decodes every file of <paramref name="config"/> (mono, resampled), encodes it to frames,
    /// fits the normalizer over all songs together and normalizes each; the songs end up on
    /// <paramref name="device"/>. Bad files throw <see cref="InputException"/>s naming them.
    /// A song whose training head is shorter than one <paramref name="window"/> is left out with
    /// a note naming it and its length (an album's short intro must not stop the album); only
    /// when no song is left does loading fail.
    /// </summary>
    /// <param name="config">Which audio and how it becomes frames.</param>
    /// <param name="device">Where the songs' frames go.</param>
    /// <param name="progress">Progress, and the note for every song left out.</param>
    /// <param name="window">Frames of one training window (<c>--window</c>); 1 keeps every song with a frame to train on.</param>
    public static TrainingData Load(DataConfig config, Device device, IProgressSink progress, int window = 1)
    {
        config.Validate();
        var files = config.ResolveFiles();
        var codec = CodecFactory.Create(config.Codec);
        var raw = new List<Tensor>();
        var records = new List<SongRecord>();
        var kept = new List<string>();
        var skipped = new List<string>();
        int read = 0;
        try
        {
            progress.Begin("read audio", files.Count);
            foreach (string file in files)
            {
                string sha = Checkpoint.Sha256Of(file);
                float[] mono = AudioFile.ReadMono(file, config.Codec.SampleRate);
                var frames = codec.Encode(mono).DetachFromDisposeScope(); // [F, features]
                if (config.MaxFrames is { } max && frames.shape[0] > max)
                {
                    var head = frames.narrow(0, 0, max).clone().DetachFromDisposeScope();
                    frames.Dispose();
                    frames = head;
                }
                if (frames.shape[0] == 0) throw InputException.ForFile(file, "holds no audio samples");
                int count = (int)frames.shape[0];
                int length = TrainingSong.TrainLength(count, config.ValidateFraction, config.Target.Shift());
                progress.Report(++read);
                if (length < window)
                {
                    frames.Dispose();
                    progress.Note(string.Create(CultureInfo.InvariantCulture,
                        $"skipping {file}: {mono.Length / (double)config.Codec.SampleRate:F1} s gives {length} training frames, fewer than one --window of {window}"));
                    skipped.Add(file);
                    continue;
                }
                raw.Add(frames);
                kept.Add(file);
                records.Add(new SongRecord(file, sha, count));
            }
            progress.Complete();
            if (raw.Count == 0)
                throw InputException.ForOption("--window", $"{window} frames is longer than every song's training frames ({string.Join(", ", skipped.Select(Path.GetFileName))}); lower --window or give longer songs");

            using var normalizer = Normalizer.Fit(config.Normalize, raw);
            var songs = new List<TrainingSong>();
            for (int i = 0; i < raw.Count; i++)
            {
                using var scope = NewDisposeScope();
                var normalized = normalizer.Normalize(raw[i]).to(device).MoveToOuterDisposeScope();
                songs.Add(new TrainingSong(kept[i], normalized, config.ValidateFraction));
            }
            return new TrainingData(songs, records, config.Codec,
                config.Normalize, normalizer.Shift.clone().DetachFromDisposeScope(), normalizer.Scale.clone().DetachFromDisposeScope(),
                config.Target, config.ValidateFraction);
        }
        finally
        {
            foreach (var t in raw) t.Dispose();
        }
    }

    /// <summary>
    /// Rejects settings the songs cannot satisfy, before any training: a window longer
    /// than a song's training head (<see cref="Load"/> leaves such songs out when told the window).
    /// </summary>
    public void CheckFits(TrainingConfig training, int targetShift)
    {
        for (int i = 0; i < Songs.Count; i++)
        {
            int length = Songs[i].TrainLength(targetShift);
            if (length < training.Window)
                throw InputException.ForOption("--window",
                    $"{training.Window} frames is longer than {Songs[i].Path}, which gives {length} training frames "
                    + $"({Songs[i].FrameCount} frames, {Songs[i].FrameCount - Songs[i].TailStart} held out for validation)");
        }
    }

    public void Dispose()
    {
        foreach (var s in Songs) s.Frames.Dispose();
        Shift.Dispose();
        Scale.Dispose();
    }
}

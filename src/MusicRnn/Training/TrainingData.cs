using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>
/// The songs of a training run in model space, with what a checkpoint must remember about
/// where they came from: the codec, the normalizer and each file's content hash.
/// Owns the song tensors and the normalizer's.
/// </summary>
public sealed partial class TrainingData : IDisposable
{
    /// <param name="songs">Normalized songs, in training order.</param>
    /// <param name="records">Path, hash and frame count of each song, same order.</param>
    /// <param name="codec">How the frames were made.</param>
    /// <param name="normalizerKind">zscore, minmax or none.</param>
    /// <param name="shift">Normalizer shift [features]; model = (x − shift) / scale.</param>
    /// <param name="scale">Normalizer scale [features].</param>
    /// <param name="objective">What the model learns to output.</param>
    /// <param name="validateFraction">Fraction of each song held out at its end.</param>
    public TrainingData(IReadOnlyList<TrainingSong> songs, IReadOnlyList<SongRecord> records, CodecSettings codec,
        string normalizerKind, Tensor shift, Tensor scale, Objective objective, double validateFraction)
    {
        if (songs.Count == 0) throw new ArgumentException("expected at least one song", nameof(songs));
        if (songs.Count != records.Count) throw new ArgumentException("one record per song", nameof(records));
        Songs = songs;
        Records = records;
        Codec = codec;
        NormalizerKind = normalizerKind;
        Shift = shift;
        Scale = scale;
        Objective = objective;
        ValidateFraction = validateFraction;
    }

    /// <summary>Normalized songs, in training order.</summary>
    public IReadOnlyList<TrainingSong> Songs { get; }

    /// <summary>Path, hash and frame count of each song.</summary>
    public IReadOnlyList<SongRecord> Records { get; }

    /// <summary>How the frames were made.</summary>
    public CodecSettings Codec { get; }

    /// <summary>zscore, minmax or none.</summary>
    public string NormalizerKind { get; }

    /// <summary>Normalizer shift [features].</summary>
    public Tensor Shift { get; }

    /// <summary>Normalizer scale [features].</summary>
    public Tensor Scale { get; }

    /// <summary>What the model learns to output.</summary>
    public Objective Objective { get; }

    /// <summary>Fraction of each song held out at its end.</summary>
    public double ValidateFraction { get; }

    /// <summary>Features per frame.</summary>
    public int FeatureCount => (int)Songs[0].Frames.shape[1];

    /// <summary>
    /// Rejects settings the songs cannot satisfy, before any training: a window longer
    /// than a song's training head.
    /// </summary>
    public void CheckFits(TrainingConfig training)
    {
        for (int i = 0; i < Songs.Count; i++)
        {
            int length = Songs[i].TrainLength(Objective);
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

using MusicRnn.Analysis;
using MusicRnn.Training;

namespace MusicRnn.Generation;

/// <summary>One training song's audio and how many codec frames training made of it.</summary>
/// <param name="Path">Where it came from.</param>
/// <param name="Samples">Mono samples at the codec's rate.</param>
/// <param name="Frames">Codec frames training used (fewer than the audio holds under --max-frames).</param>
public sealed record SongAudio(string Path, float[] Samples, int Frames);

/// <summary>
/// The <see cref="MusicalReference"/> of the songs a model trained on, split as training split them
/// (docs/ARCHITECTURE.md, "Generation"): the training heads are the audio a sample may copy, the
/// held-out tails the audio its timbre is measured against.
/// </summary>
/// <remarks>
/// Song k's frames are split as <see cref="TrainingSong"/> splits them, F − tail frames of training
/// head; in samples the head ends where the first held-out frame starts (hop · head frames), and the
/// song ends at hop · F (audio beyond the frames training used is left out). Several songs are
/// analysed as one: their heads one after another, then their tails; a copy across the join of two
/// heads counts as a copy, which at the frames' scale (tens of milliseconds) changes nothing. The
/// white-noise reference is seeded with <see cref="NoiseSeed"/>, the same for <c>generate</c> and
/// <c>bench</c>, so the reference points of a song do not depend on who measured them.
/// </remarks>
public static class SongReference
{
    /// <summary>Seed of the white noise the song's reference point is made of.</summary>
    public const int NoiseSeed = 0;

    /// <summary>Analyses <paramref name="songs"/> (at least one) as training saw them.</summary>
    /// <param name="songs">The training songs, in training's order.</param>
    /// <param name="hop">Samples between the starts of the codec's frames.</param>
    /// <param name="validateFraction">Fraction of each song's frames held out at its end.</param>
    /// <param name="sampleRate">Samples per second of the songs.</param>
    /// <param name="progress">Receives the stages of the analysis.</param>
    public static MusicalReference Create(IReadOnlyList<SongAudio> songs, int hop, double validateFraction, int sampleRate, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(songs);
        if (songs.Count == 0) throw new ArgumentException("expected at least one song", nameof(songs));
        ArgumentOutOfRangeException.ThrowIfLessThan(hop, 1);
        var heads = new List<float>();
        var tails = new List<float>();
        foreach (var song in songs)
        {
            var (headEnd, end) = Split(song.Samples.Length, song.Frames, hop, validateFraction);
            heads.AddRange(song.Samples.AsSpan(0, headEnd));
            tails.AddRange(song.Samples.AsSpan(headEnd, end - headEnd));
        }
        return MusicalReference.Create(heads.ToArray(), tails.ToArray(), sampleRate, NoiseSeed, progress: progress);
    }

    /// <summary>Where a song's training head ends and where the part training used ends, in samples.</summary>
    public static (int HeadEnd, int End) Split(int samples, int frames, int hop, double validateFraction)
    {
        var end = (int)Math.Min(samples, (long)frames * hop);
        var head = frames - TrainingSong.TailFrames(frames, validateFraction);
        return ((int)Math.Min(end, (long)head * hop), end);
    }
}

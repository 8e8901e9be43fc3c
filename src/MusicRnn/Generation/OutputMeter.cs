using MusicRnn.Analysis;

namespace MusicRnn.Generation;

/// <summary>
/// Everything measured on the audio a generation writes (docs/ARCHITECTURE.md, "Generation"): its
/// level, silence and flatness (<see cref="AudioStatistics"/>) and, given the song, how it keeps the
/// song's beat and timbre and how much it copies or repeats (<see cref="MusicalAnalyzer"/>). The one
/// seam every generation path feeds: decoded audio, as the file holds it, chunk by chunk from where
/// it goes to the WAV writer; nothing is measured in model space, so the figures mean the same for
/// every codec and for sample-level models.
/// </summary>
/// <remarks>
/// Memory: the analyzer's (the song's training frames, shared; a bounded loop history; 8 bytes per
/// analysis frame of onset envelope) and one analysis block; nothing else grows with the output.
/// </remarks>
public sealed class OutputMeter : IDisposable
{
    private readonly AudioStatistics audio;
    private readonly MusicalAnalyzer? music;

    /// <param name="sampleRate">Samples per second of the audio.</param>
    /// <param name="reference">The song to measure against; null measures level and silence only.</param>
    public OutputMeter(int sampleRate, MusicalReference? reference)
    {
        if (reference is not null && reference.SampleRate != sampleRate)
            throw new ArgumentException($"the reference is at {reference.SampleRate} Hz, the audio at {sampleRate} Hz", nameof(reference));
        audio = new AudioStatistics(sampleRate);
        music = reference is null ? null : new MusicalAnalyzer(reference);
    }

    /// <summary>Takes the next decoded samples, as written.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        audio.Add(samples);
        music?.Add(samples);
    }

    /// <summary>Level, silence and flatness of the audio so far.</summary>
    public AudioMetrics Audio() => audio.Result();

    /// <summary>The musical metrics of the audio so far; null without a reference.</summary>
    public MusicalMetrics? Music() => music?.Result();

    public void Dispose() => music?.Dispose();
}

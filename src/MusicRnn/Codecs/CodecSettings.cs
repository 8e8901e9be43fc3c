namespace MusicRnn.Codecs;

/// <summary>
/// Everything that defines a codec: its name, frame length, the sample rate of the audio it
/// frames, and the settings of the overlapping spectral codecs. Held once, in
/// <c>DataConfig</c>, in a checkpoint's config.json (its <c>codec</c> section) and in bench
/// results; <see cref="CodecFactory.Create(CodecSettings)"/> builds the codec from it.
/// </summary>
/// <param name="Name">Codec name (<c>--codec</c>): one of <see cref="CodecFactory.Names"/>.</param>
/// <param name="FrameLength">Frame length N in samples (<c>--frame</c>).</param>
/// <param name="SampleRate">Rate the audio is resampled to before framing, in Hz (<c>--sample-rate</c>).</param>
public sealed record CodecSettings(string Name, int FrameLength, int SampleRate)
{
    /// <summary>Overlapping codecs only: samples between frame starts (<c>--hop</c>); null means the codec's default.</summary>
    public int? Hop { get; init; }

    /// <summary>The mel codec only: number of mel bands (<c>--mel-bands</c>); null means the codec's default.</summary>
    public int? MelBands { get; init; }

    /// <summary>Codecs that rebuild phase only: Griffin-Lim iterations when decoding (<c>--phase-iters</c>); null means the codec's default.</summary>
    public int? PhaseIterations { get; init; }

    /// <summary>Throws an <see cref="InputException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!CodecFactory.Names.Contains(Name))
            throw InputException.ForOption("--codec", $"unknown codec '{Name}'; expected one of {string.Join(", ", CodecFactory.Names)}");
        if (CodecFactory.FrameLengthProblem(FrameLength) is { } problem) throw InputException.ForOption("--frame", problem);
        if (SampleRate < 1000 || SampleRate > 384_000)
            throw InputException.ForOption("--sample-rate", $"expected a rate from 1000 to 384000 Hz, got {SampleRate}");
        if (Hop is { } hop && (hop < 1 || hop > FrameLength))
            throw InputException.ForOption("--hop", $"expected a hop from 1 to the frame length ({FrameLength} samples), got {hop}");
        if (MelBands is { } bands && (bands < 1 || bands > FrameLength / 2 + 1))
            throw InputException.ForOption("--mel-bands", $"expected 1 to {FrameLength / 2 + 1} bands (the frame's frequency bins), got {bands}");
        if (PhaseIterations is { } iterations && (iterations < 0 || iterations > 10_000))
            throw InputException.ForOption("--phase-iters", $"expected 0 to 10000 Griffin-Lim iterations, got {iterations}");
    }
}

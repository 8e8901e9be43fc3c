namespace MusicRnn.Codecs;

/// <summary>Makes the codec named on the command line (<c>--codec</c>, <c>--frame</c>).</summary>
public static class CodecFactory
{
    /// <summary>The largest frame accepted: 2^16 samples (3 s at 22050 Hz), far past any useful model input.</summary>
    public const int MaxFrameLength = 1 << 16;

    /// <summary>
    /// Every codec name, in the order of docs/ARCHITECTURE.md, "Codecs": the exact frame codecs, the
    /// learnable magnitude codecs <c>stft</c> and <c>mel</c>, and the sample-level models' quantizers.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["fft", "rfft", "mdct", "raw", "stft", "mel", "mulaw", "linear"];

    /// <summary>
    /// The codec <paramref name="name"/> with frames of <paramref name="frameLength"/> samples.
    /// Every codec takes any even N from 2 to <see cref="MaxFrameLength"/>: torch.fft does not need
    /// a power of two (though powers of two are fastest), the packed rfft layout and the MDCT's
    /// half-frame overlap need N even, and one layout rule for all keeps a model's <c>--frame</c>
    /// valid whichever codec it is used with.
    /// </summary>
    /// <exception cref="InputException">for an unknown name or an invalid frame length.</exception>
    public static IFrameCodec Create(string name, int frameLength) =>
        Create(new CodecSettings(name?.Trim().ToLowerInvariant() ?? throw new ArgumentNullException(nameof(name)), frameLength, DefaultSampleRate));

    /// <summary>The codec <paramref name="settings"/> describes (validated here).</summary>
    /// <exception cref="InputException">for an unknown name or a setting out of range, naming its option.</exception>
    public static IFrameCodec Create(CodecSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return settings.Name switch
        {
            "fft" => new FftCodec(settings.FrameLength),
            "rfft" => new RfftCodec(settings.FrameLength),
            "mdct" => new MdctCodec(settings.FrameLength),
            "stft" => new StftCodec(settings.FrameLength, settings.Hop ?? SpectralCodec.DefaultHop(settings.FrameLength),
                settings.PhaseIterations ?? SpectralCodec.DefaultPhaseIterations),
            "mel" => new MelCodec(settings.FrameLength, settings.SampleRate, settings.Hop ?? SpectralCodec.DefaultHop(settings.FrameLength),
                settings.MelBands ?? MelCodec.DefaultBands, settings.PhaseIterations ?? SpectralCodec.DefaultPhaseIterations),
            "mulaw" => new MuLawCodec(settings.Levels ?? QuantizingCodec.DefaultLevels),
            "linear" => new LinearQuantizerCodec(settings.Levels ?? QuantizingCodec.DefaultLevels),
            _ => new RawCodec(settings.FrameLength),
        };
    }

    /// <summary>The rate audio is resampled to unless asked otherwise (<c>--sample-rate</c>).</summary>
    public const int DefaultSampleRate = 22050;

    /// <summary>What is wrong with <paramref name="frameLength"/> as a frame length, or null when it is valid.</summary>
    public static string? FrameLengthProblem(int frameLength) =>
        frameLength < 2 || frameLength > MaxFrameLength || frameLength % 2 != 0
            ? $"frame length {frameLength} is invalid; it must be an even number of samples from 2 to {MaxFrameLength}"
            : null;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an invalid frame length given in code.</summary>
    internal static void CheckFrameLength(int frameLength)
    {
        if (FrameLengthProblem(frameLength) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(frameLength), problem);
    }
}

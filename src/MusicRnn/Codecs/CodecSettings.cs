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

    /// <summary>The quantizing codecs (mulaw, linear) only: the levels a sample is rounded to (<c>--levels</c>); null means 256.</summary>
    public int? Levels { get; init; }

    /// <summary>Whether the codec quantizes single samples to levels (the sample-level models' codecs).</summary>
    public bool Quantizes => Name is "mulaw" or "linear";

    /// <summary>
    /// Throws an <see cref="InputException"/> naming the first option that is out of range, or that
    /// the codec named does not take (a <c>--hop</c> other than the frame for an exact codec, say).
    /// </summary>
    public void Validate()
    {
        if (!CodecFactory.Names.Contains(Name))
            throw InputException.ForOption("--codec", $"unknown codec '{Name}'; expected one of {string.Join(", ", CodecFactory.Names)}");
        if (Quantizes)
        {
            if (FrameLength != 1) throw InputException.ForOption("--frame", $"the {Name} codec quantizes single samples, so its frame is 1, got {FrameLength}");
            if (Levels is { } l && (l < 2 || l > 65536)) throw InputException.ForOption("--levels", $"expected 2 to 65536 levels, got {l}");
        }
        else if (Levels is { } unusedLevels)
            throw InputException.ForOption("--levels", $"only the quantizing codecs (mulaw, linear) have levels, not {Name}; got {unusedLevels}");
        else if (CodecFactory.FrameLengthProblem(FrameLength) is { } problem) throw InputException.ForOption("--frame", problem);
        if (SampleRate < 1000 || SampleRate > 384_000)
            throw InputException.ForOption("--sample-rate", $"expected a rate from 1000 to 384000 Hz, got {SampleRate}");
        var spectral = Name is "stft" or "mel";
        if (spectral && SpectralCodec.HopProblem(FrameLength, Hop ?? SpectralCodec.DefaultHop(FrameLength)) is { } hopProblem)
            throw InputException.ForOption("--hop", hopProblem);   // the default hop always fits: only a given one can fail
        if (!spectral && Hop is { } fixedHop && fixedHop != FrameLength)
            throw InputException.ForOption("--hop", $"the {Name} codec's hop is its frame length ({FrameLength}); only stft and mel take another hop, got {fixedHop}");
        if (Name == "mel")
            ValidateMelBands(MelBands ?? MelCodec.DefaultBands);
        else if (MelBands is { } unused)
            throw InputException.ForOption("--mel-bands", $"only the mel codec has mel bands, not {Name}; got {unused}");
        if (PhaseIterations is { } iterations && !spectral)
            throw InputException.ForOption("--phase-iters", $"only stft and mel rebuild phase; the {Name} codec is exact, got {iterations}");
        if (PhaseIterations is { } count && (count < 0 || count > 10_000))
            throw InputException.ForOption("--phase-iters", $"expected 0 to 10000 Griffin-Lim iterations, got {count}");
    }

    private void ValidateMelBands(int bands)
    {
        var bins = (FrameLength / 2) + 1;
        var most = Math.Min(MelCodec.MaxBands, bins);
        var given = MelBands is null ? $"the default {bands}" : $"{bands}";
        if (bands < 1 || bands > most)
            throw InputException.ForOption("--mel-bands", $"expected 1 to {most} bands (at most {MelCodec.MaxBands}, and no more than the frame's {bins} frequency bins), got {given}");
        if (MelFilterbank.FirstEmptyBand(bands, FrameLength, SampleRate) is { } empty)
        {
            // The largest count whose bands all hold a bin, for the message: narrower bands only empty more of them.
            int low = 1, high = bands - 1;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (MelFilterbank.FirstEmptyBand(middle, FrameLength, SampleRate) is null) low = middle;
                else high = middle - 1;
            }
            throw InputException.ForOption("--mel-bands",
                $"{given} bands over {FrameLength}-sample frames at {SampleRate} Hz leave band {empty} narrower than the {(double)SampleRate / FrameLength:0.#} Hz bin spacing, with no bin in it; use at most {low} bands or a longer --frame");
        }
    }
}

namespace MusicRnn.Audio;

/// <summary>
/// Reads WAV, MP3 and Ogg Vorbis files and writes WAV. The format is chosen by looking at the
/// bytes (RIFF/WAVE, OggS, ID3 or MPEG frames), not by trusting the extension. Anything wrong
/// with a file, including a decoder library's own exception, becomes an
/// <see cref="InputException"/> whose one-line message names the file.
/// </summary>
public static class AudioFile
{
    // Frames decoded per block: large enough to amortise calls, small enough to stay in cache.
    private const int BlockSamples = 1 << 16;

    // Compressed formats only estimate their length, so their first buffer is capped and grows if needed.
    private const int EstimatedCapacityCap = 1 << 24;

    /// <summary>Reads only what is needed to describe the file (for MP3, the frame headers).</summary>
    public static AudioInfo Probe(string path) => Guarded(path, (file, format) => format switch
    {
        FormatSniffer.Format.Wav => WavReader.Probe(path, file),
        FormatSniffer.Format.Ogg => OggReader.Probe(path, file),
        _ => Mp3Reader.Probe(path, file) ?? throw InputException.ForFile(path, Mp3Reader.NoFrames),
    });

    /// <summary>Decodes every channel at the file's own sample rate.</summary>
    public static DecodedAudio Read(string path) => Decode(path, (decoder, fileBytes) =>
    {
        var info = decoder.Info;
        int channels = info.Channels;
        var buffers = new SampleBuffer[channels];
        for (int c = 0; c < channels; c++)
            buffers[c] = new SampleBuffer(Capacity(decoder, fileBytes));

        long frames = Pump(decoder, (block, n) =>
        {
            for (int c = 0; c < channels; c++)
                buffers[c].AppendStrided(block, c, channels, n);
        });
        return new DecodedAudio(info with { FramesPerChannel = frames }, buffers.Select(b => b.ToArray()).ToArray());
    });

    /// <summary>
    /// Decodes, mixes down to mono (the mean of the channels) and resamples to
    /// <paramref name="sampleRate"/>. Channels are mixed block by block as they are decoded, so only
    /// the mono signal is ever held whole.
    /// </summary>
    /// <returns>Mono samples at <paramref name="sampleRate"/>.</returns>
    public static float[] ReadMono(string path, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var (mono, nativeRate) = Decode(path, (decoder, fileBytes) =>
        {
            int channels = decoder.Info.Channels;
            var buffer = new SampleBuffer(Capacity(decoder, fileBytes));
            Pump(decoder, (block, n) => buffer.AppendMean(block, channels, n));
            return (buffer.ToArray(), decoder.Info.SampleRate);
        });
        return nativeRate == sampleRate ? mono : Resampler.Resample(mono, nativeRate, sampleRate);
    }

    /// <summary>
    /// Decodes block by block, mixes each block down to mono (the mean of the channels, as
    /// <see cref="ReadMono"/> does) and, when <paramref name="sampleRate"/> is given, resamples it
    /// on the fly; every mono block goes to <paramref name="take"/>. Only a block and the
    /// resampler's filter history are ever held, so an hour of audio costs no more memory than a
    /// second. The blocks together are exactly <see cref="ReadMono"/>'s result.
    /// </summary>
    /// <param name="path">The audio file.</param>
    /// <param name="sampleRate">Rate to resample to, or null for the file's own rate.</param>
    /// <param name="take">Receives each block; the span is reused after it returns.</param>
    /// <returns>The file's description, with <see cref="AudioInfo.FramesPerChannel"/> the frames actually decoded.</returns>
    public static AudioInfo ReadMonoBlocks(string path, int? sampleRate, Action<ReadOnlySpan<float>> take)
    {
        ArgumentNullException.ThrowIfNull(take);
        if (sampleRate is <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "a rate is positive");
        try
        {
            return DecodeMonoBlocks(path, sampleRate, block =>
            {
                // The caller's own failures (writing, encoding) must not be reported as damage in this file.
                try { take(block); }
                catch (Exception e) when (e is not InputException) { throw new CallerFailure(e); }
            });
        }
        catch (InputException e) when (e.InnerException is CallerFailure failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.InnerException!);
            throw;
        }
    }

    /// <summary>Carries an exception of <see cref="ReadMonoBlocks"/>'s callback through the decoder's error translation.</summary>
    private sealed class CallerFailure(Exception inner) : Exception(inner.Message, inner);

    private static AudioInfo DecodeMonoBlocks(string path, int? sampleRate, Action<ReadOnlySpan<float>> take)
    {
        return Decode(path, (decoder, _) =>
        {
            int channels = decoder.Info.Channels;
            var resampler = sampleRate is { } rate ? Resampler.Streaming(decoder.Info.SampleRate, rate) : null;
            var mono = new float[Math.Max(1, BlockSamples / channels)];
            long frames = Pump(decoder, (block, n) =>
            {
                for (int i = 0; i < n; i++)
                {
                    // Summed in channel order and then divided, exactly as SampleBuffer.AppendMean and Mixdown.ToMono do.
                    float sum = 0;
                    for (int c = 0; c < channels; c++)
                        sum += block[(i * channels) + c];
                    mono[i] = sum / channels;
                }
                if (resampler is null) take(mono.AsSpan(0, n));
                else resampler.Push(mono.AsSpan(0, n), take);
            });
            resampler?.Finish(take);
            return decoder.Info with { FramesPerChannel = frames };
        });
    }

    /// <summary>
    /// Starts a mono WAV file written block by block (see <see cref="WavFileWriter"/>); it appears
    /// at <paramref name="path"/> only when completed.
    /// </summary>
    public static WavFileWriter CreateWav(string path, int sampleRate, SampleFormat format) => new(path, sampleRate, format);

    /// <summary>
    /// Writes a mono WAV file and returns how many samples it clipped. <see cref="SampleFormat.S16"/>
    /// clips to [-1, 1] (never wraps) and stores round(x · 32768) limited to [-32768, 32767];
    /// <see cref="SampleFormat.F32"/> keeps every finite sample, beyond ±1 too, and clips only ±∞ to ±1.
    /// </summary>
    /// <exception cref="ArgumentException">A sample is NaN, or the file would pass the 4 GiB WAV limit.</exception>
    /// <exception cref="InputException">The file cannot be created (missing folder, no permission, disk full).</exception>
    public static long WriteWav(string path, ReadOnlySpan<float> mono, int sampleRate, SampleFormat format)
    {
        try
        {
            return WavWriter.Write(path, mono, sampleRate, format);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot write: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// First size of each channel's buffer. WAV lengths are exact and already checked against the
    /// file. A compressed format's length is a header field, so the first buffer is also held to
    /// 16 samples per file byte over all channels (about 5 times what 128 kbit/s MP3 or Vorbis
    /// yield): a lying header then costs at most 64 bytes of floats per file byte, and an honest
    /// but unusually compact file only costs the buffer a few doublings.
    /// </summary>
    private static int Capacity(AudioDecoder decoder, long fileBytes)
    {
        var info = decoder.Info;
        long frames = info.FramesPerChannel;
        if (frames > Array.MaxLength)
            throw InputException.ForFile(info.Path, $"{frames} samples per channel is too long to decode into memory");
        if (info.Container == "WAV")
            return (int)frames;
        return (int)Math.Min(frames, Math.Min(EstimatedCapacityCap, Math.Max(BlockSamples, 16 * fileBytes / info.Channels)));
    }

    /// <summary>Feeds every decoded block to <paramref name="take"/> after checking it is finite; returns the frame count.</summary>
    private static long Pump(AudioDecoder decoder, Action<float[], int> take)
    {
        int channels = decoder.Info.Channels;
        var block = new float[Math.Max(1, BlockSamples / channels) * channels];
        long frames = 0;
        int n;
        while ((n = decoder.ReadFrames(block)) > 0)
        {
            CheckFinite(decoder.Info, block.AsSpan(0, n * channels), frames);
            take(block, n);
            frames += n;
        }
        return frames;
    }

    private static void CheckFinite(AudioInfo info, ReadOnlySpan<float> block, long firstFrame)
    {
        for (int i = 0; i < block.Length; i++)
        {
            if (!float.IsFinite(block[i]))
            {
                string what = float.IsNaN(block[i]) ? "NaN" : "infinite";
                throw InputException.ForFile(info.Path,
                    $"{info.Container} sample at frame {firstFrame + (i / info.Channels)}, channel {i % info.Channels} is {what}");
            }
        }
    }

    /// <summary>Opens, sniffs and decodes through <paramref name="use"/>.</summary>
    private static T Decode<T>(string path, Func<AudioDecoder, long, T> use) => Guarded(path, (file, format) =>
    {
        using var decoder = format switch
        {
            FormatSniffer.Format.Wav => WavReader.Open(path, file),
            FormatSniffer.Format.Ogg => OggReader.Open(path, file),
            _ => Mp3Reader.Open(path, file),
        };
        return use(decoder, file.Length);
    });

    /// <summary>Opens and sniffs the file, then runs <paramref name="work"/>, turning every failure into a one-line <see cref="InputException"/>.</summary>
    private static T Guarded<T>(string path, Func<FileStream, FormatSniffer.Format, T> work)
    {
        using var file = OpenChecked(path);
        var format = FormatSniffer.Sniff(path, file);
        try
        {
            return work(file, format);
        }
        catch (Exception ex) when (ex is not InputException and not OutOfMemoryException)
        {
            throw new InputException($"{path}: cannot decode {FormatSniffer.Name(format)}: {Explain(ex)}", ex);
        }
    }

    // NLayer and NVorbis index tables with values read from the file, so damaged data surfaces as
    // their own index, null or arithmetic faults, whose messages mean nothing to the user.
    private static string Explain(Exception ex) =>
        ex is IndexOutOfRangeException or ArgumentOutOfRangeException or NullReferenceException or ArithmeticException or InvalidCastException
            ? $"the data is damaged (the decoder failed with {ex.GetType().Name})"
            : ex.Message;

    private static FileStream OpenChecked(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw InputException.ForFile(path, "no file name given");
        if (Directory.Exists(path))
            throw InputException.ForFile(path, "is a directory, not an audio file");
        if (!File.Exists(path))
            throw InputException.ForFile(path, "no such file");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot open: {ex.Message}", ex);
        }
        if (file.Length == 0)
        {
            file.Dispose();
            throw InputException.ForFile(path, "empty file (0 bytes)");
        }
        return file;
    }
}

using MusicRnn.Analysis;
using MusicRnn.Audio;
using MusicRnn.Experiments;
using MusicRnn.Generation;
using MusicRnn.Objectives;

namespace MusicRnn.Tests.Experiments;

/// <summary>
/// Realistic bench results without training anything: seeded loss curves that fall towards a
/// floor at per-architecture rates, plausible timings and parameter counts, tiny WAV samples with
/// their spectrograms and musical metrics, and the song's reference points.
/// </summary>
internal static class BenchFakes
{
    public static readonly string[] Archs = ["rnn", "lstm", "gru", "cwrnn"];

    public static BenchSettings Settings() => new()
    {
        Audio = "song.wav",
        Codec = "fft",
        FrameSize = 512,
        SampleRate = 16000,
        Window = 50,
        Stride = 5,
        Batch = 8,
        Epochs = 3,
        Optimizer = "rmsprop",
        LearningRate = 0.001,
        Objective = "next",
        LossUnit = "model space",
        Baselines = [new BaselineRule("persistence", "ŷ_t = x_t (the frame just heard)"), new BaselineRule("mean", "ŷ_t = the mean training frame")],
        Seed = 42,
        Extra = new Dictionary<string, string> { ["match"] = "hidden" },
    };

    /// <summary>A full grid's results; with <paramref name="folder"/> its samples and pictures are written there too.</summary>
    public static BenchResults Grid(IEnumerable<string> archs, IEnumerable<int> layers, string? folder = null, string preset = "quick", BenchSettings? settings = null) => new()
    {
        Preset = preset,
        Settings = settings ?? Settings(),
        Models = archs.SelectMany(a => layers.Select(l => Model(a, l, folder))).ToList(),
        Reference = Reference(folder),
    };

    /// <summary>The song's reference points; with <paramref name="folder"/> the training excerpt's spectrogram is written there.</summary>
    public static BenchReference Reference(string? folder = null)
    {
        if (folder is not null)
            WriteSpectrogram(Path.Combine(folder, ResultsFolder.ExcerptPath), 110, "training audio from 2 s");
        return new BenchReference
        {
            Points = new MusicalReferencePoints
            {
                HeldOutTempoBpm = 120.2,
                HeldOutPeriodicity = 0.61,
                SongTempoBpm = 120.1,
                SongPeriodicity = 0.64,
                HeldOutTimbreDistance = 41.5,
                HalvesTimbreDistance = 18.2,
                NoiseTimbreDistance = 2875,
                HeldOutCopiedSeconds = 0.42,
                HeldOutLoopSeconds = 1.9,
                SpreadDb = 9.5,
                MatchToleranceDb = 3.8,
            },
            Excerpt = ResultsFolder.ExcerptPath,
            ExcerptStartSeconds = 2,
            ExcerptSeconds = 0.5,
        };
    }

    /// <summary>One model's results, reproducible from its architecture and depth alone.</summary>
    public static ModelResult Model(string arch, int layers, string? folder = null)
    {
        int rank = Array.IndexOf(Archs, arch);
        var rng = new Random((rank * 31) + layers);
        const int iterations = 240;
        // Gated models fall further and faster than the vanilla RNN, deeper ones slightly slower.
        double floor = 0.02 + (0.03 * (rank == 0 ? 3 : 1)) + (0.005 * layers);
        double tau = 30 + (10 * layers) + (rank == 0 ? 40 : 0);
        var curve = Enumerable.Range(1, iterations)
            .Select(i => new LossPoint(i, 0.8 * (floor + Math.Exp(-i / tau)) * (1 + (0.15 * (rng.NextDouble() - 0.5)))))
            .ToList();
        int hidden = 64;
        int gates = arch switch { "lstm" => 4, "gru" => 3, _ => 1 };
        long parameters = (long)layers * gates * hidden * (hidden + 257 + 1) + (hidden * 257) + 257;
        double perEpoch = (0.8 + (0.4 * gates)) * layers * (1 + (0.05 * rng.NextDouble()));
        string name = $"{arch}-{layers}";
        string sample = ResultsFolder.SamplePath(name);
        string spectrogram = ResultsFolder.SpectrogramPath(name);
        if (folder is not null)
        {
            WriteSample(Path.Combine(folder, sample), 220 * (rank + 1));
            WriteSpectrogram(Path.Combine(folder, spectrogram), 220 * (rank + 1), $"{name}: generated");
        }
        return new ModelResult
        {
            Name = name,
            Spec = new ModelSummary
            {
                Arch = arch,
                Layers = layers,
                Hidden = hidden,
                InputSize = 257,
                OutputSize = 257,
                Activation = arch is "rnn" or "cwrnn" ? "tanh" : null,
                Peepholes = arch == "lstm" ? true : null,
                GruReset = arch == "gru" ? "before" : null,
                Modules = arch == "cwrnn" ? 8 : null,
                Periods = arch == "cwrnn" ? [1, 2, 4, 8, 16, 32, 64, 128] : null,
            },
            Parameters = parameters,
            EpochSeconds = [.. Enumerable.Range(0, 3).Select(e => Math.Round(perEpoch * (1 + (0.02 * e)), 3))],
            TotalSeconds = Math.Round((perEpoch * 3.1) + 0.4, 3),
            LossCurve = curve,
            ValidationLoss = [.. Enumerable.Range(1, 3).Select(e => curve[(e * iterations / 3) - 1].Loss * 1.1)],
            FinalTrainLoss = curve.Skip(160).Average(p => p.Loss),
            FinalValidationLoss = curve[^1].Loss * 1.1,
            Baselines = [new BaselineLoss("persistence", 0.35), new BaselineLoss("mean", 1.02)],
            Sample = sample,
            Spectrogram = spectrogram,
            Audio = new AudioMetrics { DurationSeconds = 0.5, Samples = 4000, RmsLinear = 0.2, RmsDbfs = -14 - rank, SilenceFraction = 0.05 * layers, SpectralFlatness = 0.1 },
            Music = new MusicalMetrics
            {
                DurationSeconds = 0.5,
                Frames = 40,
                TempoBpm = rank == 0 ? null : 118 + rank,
                Periodicity = rank == 0 ? null : 0.2 + (0.1 * rank),
                TempoView = rank == 0 ? null : "log",
                // Gated models sound more like the song; the vanilla RNN most like noise.
                TimbreDistance = rank == 0 ? 1900 : 60 + (40 * rank) + (15 * layers),
                TimbreReference = "held-out",
                CopiedSeconds = 0.1 * layers,
                LoopSeconds = 0.05 * rank,
                StaticSeconds = 0.25 * rank,
                MatchToleranceDb = 3.8,
            },
            Provenance = new RunProvenance
            {
                Device = "cpu",
                Threads = 2,
                Version = "0.1.0+test",
                Date = new DateTime(2026, 11, 25, 23, 0, 0, DateTimeKind.Utc).AddMinutes((rank * 3) + layers),
                Os = "Debian GNU/Linux 12",
                CpuCount = 2,
            },
        };
    }

    /// <summary>Half a second of a decaying tone: short, but a real WAV every player opens.</summary>
    public static void WriteSample(string path, double hz)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        const int rate = 8000;
        var samples = new float[rate / 2];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (float)(0.5 * Math.Exp(-3.0 * i / samples.Length) * Math.Sin(2 * Math.PI * hz * i / rate));
        AudioFile.WriteWav(path, samples, rate, SampleFormat.S16);
    }

    /// <summary>The spectrogram of the sample <see cref="WriteSample"/> writes, at the report's size.</summary>
    public static void WriteSpectrogram(string path, double hz, string title)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        const int rate = 8000;
        var samples = new float[rate / 2];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (float)(0.5 * Math.Exp(-3.0 * i / samples.Length) * Math.Sin(2 * Math.PI * hz * i / rate));
        SpectrogramImage.Write(path, samples, rate, title, ReportWriter.SpectrogramWidth, ReportWriter.SpectrogramHeight);
    }

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(bytes.Length > 33 && bytes.AsSpan(0, 8).SequenceEqual(signature), $"{path} is not a PNG");
        // The first chunk must be IHDR: length 13 at byte 8, type at 12, width and height big-endian at 16 and 20.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        return (BigEndian(bytes, 16), BigEndian(bytes, 20));
    }
}

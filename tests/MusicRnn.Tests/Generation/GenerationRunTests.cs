using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Generation;
using MusicRnn.Synthesis;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

public sealed class GenerationRunTests
{
    private const int Rate = CheckpointFixture.Rate;

    [Theory]
    [InlineData("rfft", 1.5)]
    [InlineData("mdct", 1.0)]
    [InlineData("raw", 0.77)]
    public void Should_write_the_requested_seconds(string codec, double seconds)
    {
        // Given a checkpoint
        using var fixture = new CheckpointFixture(codec);
        var output = fixture.File("out.wav");

        // When generating the requested seconds (in chunks of 16 frames)
        var metrics = GenerationRun.Run(Config(fixture, output) with { Seconds = seconds, ChunkFrames = 16 }, CPU, NullProgress.Instance);

        // Then the WAV holds that many seconds (within one frame), and the JSON beside it says so
        var written = AudioFile.ReadMono(output, Rate);
        Assert.InRange(written.Length, seconds * Rate - CheckpointFixture.Frame, seconds * Rate + CheckpointFixture.Frame);
        var json = GenerationMetrics.Read(GenerationMetrics.JsonPathFor(output));
        Assert.Equal(written.Length / (double)Rate, json.Audio.DurationSeconds, 6);
        Assert.Equal(metrics.Frames, json.Frames);
        Assert.NotNull(json.Music);
    }

    [Theory]
    [InlineData("rfft")]
    [InlineData("mdct")]
    public void Should_write_what_a_direct_forward_pass_predicts_when_teacher_forced(string codec)
    {
        // Given a checkpoint, and its model run directly over the whole song
        using var fixture = new CheckpointFixture(codec);
        var output = fixture.File("forced.wav");
        float[] expected;
        using (no_grad())
        using (NewDisposeScope())
        {
            var frames = fixture.Normalizer.Normalize(fixture.Codec.Encode(fixture.Song));
            var (predicted, _) = fixture.Model.forward(frames.unsqueeze(1), null);
            var features = fixture.Normalizer.Denormalize(predicted.squeeze(1));
            expected = fixture.Codec.Decode(features, fixture.Song.Length).Select(x => Math.Clamp(x, -1f, 1f)).ToArray();
        }

        // When teacher-forcing the song through generation, in chunks of 10, to a float WAV
        GenerationRun.Run(Config(fixture, output) with { TeacherForced = fixture.SongPath, ChunkFrames = 10, Format = SampleFormat.F32 }, CPU, NullProgress.Instance);

        // Then the file holds exactly the direct pass's predictions
        var written = AudioFile.ReadMono(output, Rate);
        Assert.Equal(expected.Length, written.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - written[i]) < 1e-5f, $"sample {i}: {expected[i]} vs {written[i]}");
    }

    [Fact]
    public void Should_write_the_frames_fed_and_the_predictions_made_when_asked()
    {
        // Given a checkpoint, and its model run directly over the song's model-space frames
        using var fixture = new CheckpointFixture("rfft", MusicRnn.Models.Architecture.Lstm);
        var path = fixture.File("out/predictions.safetensors");
        using var scope = NewDisposeScope();
        var frames = fixture.Normalizer.Normalize(fixture.Codec.Encode(fixture.Song));
        Tensor expected;
        using (no_grad())
            expected = fixture.Model.forward(frames.unsqueeze(1), null).Output.squeeze(1);

        // When teacher-forcing the song in chunks of 10 with --predictions
        GenerationRun.Run(Config(fixture, fixture.File("forced.wav")) with { TeacherForced = fixture.SongPath, ChunkFrames = 10, Predictions = path },
            CPU, NullProgress.Instance);

        // Then the file holds exactly those frames as its inputs and the direct pass's outputs as its predictions
        var written = Safetensors.Load(path);
        Assert.Equal(["inputs", "predictions"], written.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ScalarType.Float32, written["predictions"].dtype);
        Assert.Equal(frames.shape, written["inputs"].shape);
        Assert.True(written["inputs"].eq(frames).all().item<bool>(), "inputs differ from the song's model-space frames");
        Assert.Equal(expected.shape, written["predictions"].shape);
        var gap = written["predictions"].sub(expected).abs().max().item<float>();
        Assert.True(gap < 1e-5f, $"largest difference {gap}");
    }

    [Fact]
    public void Should_repeat_with_the_same_seed_and_differ_with_another()
    {
        // Given a checkpoint and noisy generation
        using var fixture = new CheckpointFixture();
        var config = Config(fixture, "") with { Seconds = 0.5, Noise = 0.5, Format = SampleFormat.F32 };

        // When generating with seed 1 twice and seed 2 once
        GenerationRun.Run(config with { Output = fixture.File("a.wav"), Seed = 1 }, CPU, NullProgress.Instance);
        GenerationRun.Run(config with { Output = fixture.File("b.wav"), Seed = 1 }, CPU, NullProgress.Instance);
        GenerationRun.Run(config with { Output = fixture.File("c.wav"), Seed = 2 }, CPU, NullProgress.Instance);

        // Then the same seed writes the same file, another seed another
        Assert.Equal(File.ReadAllBytes(fixture.File("a.wav")), File.ReadAllBytes(fixture.File("b.wav")));
        Assert.NotEqual(File.ReadAllBytes(fixture.File("a.wav")), File.ReadAllBytes(fixture.File("c.wav")));
    }

    [Fact]
    public void Should_prime_on_silence_and_say_so_when_the_training_song_changed()
    {
        // Given a checkpoint whose training song was overwritten after training
        using var fixture = new CheckpointFixture();
        AudioFile.WriteWav(fixture.SongPath, new float[Rate], Rate, SampleFormat.S16);
        var notes = new NoteRecorder();

        // When generating without --prime
        var metrics = GenerationRun.Run(Config(fixture, fixture.File("out.wav")) with { Seconds = 0.5 }, CPU, notes);

        // Then it primes on silence, notes why, and measures level and silence but nothing against the song
        Assert.Equal("silence", metrics.Prime);
        Assert.Contains(notes.Notes, n => n.Contains("changed", StringComparison.Ordinal));
        Assert.Null(metrics.Music);
        Assert.Null(metrics.Reference);
        Assert.NotNull(metrics.MusicNote);
        Assert.Equal(0.5, metrics.Audio.DurationSeconds, 6);
    }

    [Fact]
    public void Should_report_a_generated_copy_of_training_audio_as_copying_its_whole_length()
    {
        // Given a persistence model (ŷ_t = x_t) trained on 4 s of the synthesized track, the last 10 % held out,
        // and 2.5 s cut from the training part of the track
        using var fixture = new CheckpointFixture(arch: MusicRnn.Models.Architecture.Persistence, song: Track(seconds: 4));
        var excerpt = fixture.File("excerpt.wav");
        AudioFile.WriteWav(excerpt, fixture.Song.AsSpan((int)(0.5 * Rate), (int)(2.5 * Rate)).ToArray(), Rate, SampleFormat.F32);
        var noise = fixture.File("noise.wav");
        AudioFile.WriteWav(noise, Noise((int)(2.5 * Rate), seed: 5), Rate, SampleFormat.F32);

        // When the model is teacher-forced on the excerpt (so it writes the excerpt back: a copy of training audio), and on noise
        var copy = GenerationRun.Run(Config(fixture, fixture.File("copy.wav")) with { TeacherForced = excerpt, PrimeSeconds = 0 }, CPU, NullProgress.Instance);
        var fresh = GenerationRun.Run(Config(fixture, fixture.File("fresh.wav")) with { TeacherForced = noise, PrimeSeconds = 0 }, CPU, NullProgress.Instance);

        // Then the copy's novelty, measured on its decoded audio, is its length, less what frames cannot see of
        // a whole file: a quarter of the 2048-sample analysis window at either end (LogMelSettings.SpanSeconds)
        // and the part of a 512-sample hop the file ends in (0.192 s in all at 8 kHz); it copies from where it
        // was cut (within one 16-ms step of the fine grid); the noise copies nothing
        var settings = MusicRnn.Analysis.LogMelSettings.Default;
        Assert.InRange(copy.Music!.CopiedSeconds, 2.5 - ((settings.FrameLength / 2.0) + settings.Hop) / Rate, 2.5);
        Assert.InRange(copy.Music.CopiedFromSeconds!.Value - copy.Music.CopiedAtSeconds!.Value, 0.5 - 0.016, 0.5 + 0.016);
        Assert.InRange(fresh.Music!.CopiedSeconds, 0, 0.1);
    }

    [Fact]
    public void Should_write_the_musical_metrics_and_the_song_s_reference_points_into_the_metrics_json()
    {
        // Given a persistence model trained on 12 s of the synthesized track at 120 BPM, the last 4 s held out,
        // and the held-out audio as a file
        using var fixture = new CheckpointFixture(arch: MusicRnn.Models.Architecture.Persistence, song: Track(seconds: 12), validate: 1.0 / 3);
        var heldOut = fixture.File("held-out.wav");
        AudioFile.WriteWav(heldOut, fixture.Song.AsSpan(8 * Rate).ToArray(), Rate, SampleFormat.F32);

        // When the model is teacher-forced on it (so it writes the held-out audio back)
        var output = fixture.File("out.wav");
        GenerationRun.Run(Config(fixture, output) with { TeacherForced = heldOut, PrimeSeconds = 0 }, CPU, NullProgress.Instance);

        // Then FILE.json holds level and silence, tempo, periodicity, timbre distance, copies and loops,
        // and the song's reference points; the held-out audio itself is at timbre distance ≈ 0 with the song's tempo
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(GenerationMetrics.JsonPathFor(output)))!;
        foreach (var field in new[] { "rmsDbfs", "silenceFraction", "durationSeconds" })
            Assert.NotNull(json["audio"]![field]);
        foreach (var field in new[] { "tempoBpm", "periodicity", "timbreDistance", "timbreReference", "copiedSeconds", "loopSeconds", "staticSeconds", "matchToleranceDb" })
            Assert.NotNull(json["music"]![field]);
        foreach (var field in new[] { "heldOutTempoBpm", "heldOutPeriodicity", "songTempoBpm", "songPeriodicity", "heldOutTimbreDistance", "halvesTimbreDistance", "noiseTimbreDistance", "matchToleranceDb" })
            Assert.NotNull(json["reference"]![field]);
        Assert.Null(json["novelty"]);
        var metrics = GenerationMetrics.Read(GenerationMetrics.JsonPathFor(output));
        Assert.Equal("held-out", metrics.Music!.TimbreReference);
        Assert.InRange(metrics.Music.TimbreDistance!.Value, 0, 0.5);
        Assert.InRange(metrics.Music.TempoBpm!.Value, 118.8, 121.2);
        // (the file holds it in 16 bits, the reference read it as float: the same tempo to a thousandth of a BPM)
        Assert.Equal(metrics.Reference!.HeldOutTempoBpm!.Value, metrics.Music.TempoBpm.Value, 3);
        Assert.True(metrics.Reference.NoiseTimbreDistance > 10 * metrics.Reference.HalvesTimbreDistance,
            $"noise {metrics.Reference.NoiseTimbreDistance}, halves {metrics.Reference.HalvesTimbreDistance}");
    }

    private static float[] Track(double seconds) =>
        TrackSynthesizer.Render(new TrackSpec { Seconds = seconds, Bpm = 120, SampleRate = Rate });

    private static float[] Noise(int samples, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, samples).Select(_ => (float)(0.2 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
    }

    private static GenerationConfig Config(CheckpointFixture fixture, string output) => new()
    {
        Model = fixture.ModelDir,
        Output = output,
        PrimeSeconds = 0.25,
    };

    private sealed class NoteRecorder : IProgressSink
    {
        public List<string> Notes { get; } = [];

        public void Begin(string task, long total) { }

        public void Report(long done, string? status = null) { }

        public void Note(string message) => Notes.Add(message);

        public void Complete() { }
    }
}

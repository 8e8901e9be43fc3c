using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Generation;
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
        Assert.NotNull(json.Novelty);
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

        // Then it primes on silence, notes why, and leaves novelty unmeasured
        Assert.Equal("silence", metrics.Prime);
        Assert.Contains(notes.Notes, n => n.Contains("changed", StringComparison.Ordinal));
        Assert.Null(metrics.Novelty);
        Assert.NotNull(metrics.NoveltyNote);
    }

    [Fact]
    public void Should_find_a_persistence_model_copying_the_prime_frame_forever()
    {
        // Given a persistence model (ŷ = x) primed on the training song
        using var fixture = new CheckpointFixture(arch: MusicRnn.Models.Architecture.Persistence);

        // When free-running 40 frames after a 10-frame prime
        var metrics = GenerationRun.Run(Config(fixture, fixture.File("out.wav")) with
        {
            Seconds = 40.0 * CheckpointFixture.Frame / Rate,
            PrimeSeconds = 10.0 * CheckpointFixture.Frame / Rate,
        }, CPU, NullProgress.Instance);

        // Then every generated frame is training frame 9 itself: nearest distance 0, but no run of
        // consecutive training frames longer than one
        Assert.Equal(40, metrics.Frames);
        Assert.Equal(1, metrics.Novelty!.LongestCopiedRun);
        Assert.True(metrics.Novelty.MeanNearestDistance < 1e-2, $"distance {metrics.Novelty.MeanNearestDistance}");
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

using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Generation;
using MusicRnn.Objectives;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Checkpoints;

/// <summary>
/// A checkpoint written by MusicRnn at d00ef26 (format version 1: the normalizer's statistics
/// inside weights.safetensors), committed with its song and what it generated then
/// (Fixtures/checkpoint-v1/README.md).
/// </summary>
public sealed class VersionOneCheckpointTests : IDisposable
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoint-v1");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_load_a_version_1_checkpoint_as_the_current_version()
    {
        // Given the committed version-1 checkpoint, when loading it
        using var checkpoint = Checkpoint.Load(Path.Combine(Fixture, "checkpoint"));

        // Then it reads as version 2: the statistics are the normalizer's, not weights, the objective is
        // the squared error it was trained with, and the model and normalizer rebuild
        Assert.Equal(CheckpointConfig.CurrentVersion, checkpoint.Config.Version);
        Assert.DoesNotContain(checkpoint.Weights.Keys, k => k.StartsWith("normalizer.", StringComparison.Ordinal));
        Assert.Equal([Checkpoint.NormalizerScale, Checkpoint.NormalizerShift], checkpoint.NormalizerTensors.Keys.Order());
        Assert.IsType<FrameRegression>(checkpoint.CreateObjective());
        using var model = checkpoint.CreateModel(CPU);
        using var normalizer = checkpoint.CreateNormalizer();
        Assert.Equal(16, normalizer!.FeatureCount);
        Assert.Equal(1060, model.ParameterCount());
    }

    [Theory]
    [InlineData("teacher-forced.wav")]
    [InlineData("free-primed.wav")]
    public void Should_generate_what_it_generated_when_it_was_written(string reference)
    {
        // Given the committed checkpoint and its song (its recorded training path does not exist here)
        string song = Path.Combine(Fixture, "song.wav");
        var output = _dir.File("out.wav");
        var config = new GenerationConfig { Model = Path.Combine(Fixture, "checkpoint"), Output = output, Seconds = 1, Format = SampleFormat.F32 };
        config = reference == "teacher-forced.wav"
            ? config with { TeacherForced = song }
            : config with { Prime = song, PrimeSeconds = 0.5 };

        // When generating as the fixture's README says
        GenerationRun.Run(config, CPU, NullProgress.Instance);

        // Then the audio is what d00ef26 wrote, to float32 rounding of the same arithmetic
        var expected = AudioFile.ReadMono(Path.Combine(Fixture, reference), 8000);
        var actual = AudioFile.ReadMono(output, 8000);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"sample {i}: {expected[i]} then, {actual[i]} now");
    }
}

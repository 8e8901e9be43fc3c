using System.Text.Json.Nodes;
using MusicRnn.Checkpoints;
using MusicRnn.Generation;
using MusicRnn.Tests.Generation;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class GenerateCommandTests
{
    [Fact]
    public void Should_write_a_wav_and_its_metrics_beside_it()
    {
        // Given a checkpoint
        using var fixture = new CheckpointFixture();
        var output = fixture.File("song-out.wav");

        // When generating one second quietly on the CPU
        var result = CliHarness.Run("generate", "--model", fixture.ModelDir, "--out", output, "--seconds", "1", "--prime-seconds", "0.5",
            "--noise", "0.1", "--seed", "3", "--device", "cpu", "--threads", "1", "--quiet");

        // Then it succeeds, names both files, and the JSON describes the run
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(output, result.Out, StringComparison.Ordinal);
        var json = GenerationMetrics.Read(fixture.File("song-out.json"));
        Assert.Equal("free", json.Mode);
        Assert.Equal(0.1, json.Noise);
        Assert.Equal(3, json.Seed);
        Assert.Equal(1.0, json.Audio.DurationSeconds, 3);
        Assert.StartsWith("training song", json.Prime, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_find_the_checkpoint_inside_a_training_run_folder()
    {
        // Given the folder train --out wrote, with the checkpoint in its checkpoint/ subfolder
        using var fixture = new CheckpointFixture();

        // When generating from the run folder
        var result = CliHarness.Run("generate", "--model", fixture.RunDir, "--out", fixture.File("o.wav"), "--seconds", "0.25", "--device", "cpu", "--quiet");

        // Then the checkpoint inside is used
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(Path.GetFullPath(fixture.ModelDir), GenerationMetrics.Read(fixture.File("o.json")).Model);
    }

    [Fact]
    public void Should_refuse_a_tampered_weights_file()
    {
        // Given a checkpoint whose weights had one byte changed after saving
        using var fixture = new CheckpointFixture();
        var weights = Path.Combine(fixture.ModelDir, Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(weights, bytes);

        // When generating from it
        var result = Generate(fixture);

        // Then it is refused with one line naming the file and the hash
        AssertBadInput(result, Checkpoint.WeightsFile, "SHA-256");
    }

    [Fact]
    public void Should_refuse_an_incomplete_checkpoint_folder()
    {
        // Given a checkpoint folder that lost its weights
        using var fixture = new CheckpointFixture();
        File.Delete(Path.Combine(fixture.ModelDir, Checkpoint.WeightsFile));

        // When generating from it
        var result = Generate(fixture);

        // Then the missing file is named
        AssertBadInput(result, Checkpoint.WeightsFile, "missing");
    }

    [Fact]
    public void Should_refuse_a_folder_that_is_no_checkpoint()
    {
        // Given a folder path where no checkpoint was ever written
        using var fixture = new CheckpointFixture();

        // When generating from it
        var result = CliHarness.Run("generate", "--model", fixture.File("nothing-here"), "--out", fixture.File("o.wav"), "--quiet");

        // Then it is refused
        AssertBadInput(result, "nothing-here", "checkpoint");
    }

    [Fact]
    public void Should_refuse_an_unknown_format_version()
    {
        // Given a checkpoint whose config.json claims a future version
        using var fixture = new CheckpointFixture();
        var configPath = Path.Combine(fixture.ModelDir, Checkpoint.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["version"] = 99;
        File.WriteAllText(configPath, config.ToJsonString());

        // When generating from it
        var result = Generate(fixture);

        // Then the version is the reason given
        AssertBadInput(result, Checkpoint.ConfigFile, "version 99");
    }

    [Fact]
    public void Should_refuse_a_prime_that_is_not_audio()
    {
        // Given a text file passed as the prime
        using var fixture = new CheckpointFixture();
        var prime = fixture.File("notes.wav");
        File.WriteAllText(prime, "these are not samples");

        // When generating with it
        var result = Generate(fixture, "--prime", prime);

        // Then the prime file is named
        AssertBadInput(result, "notes.wav", "");
    }

    [Fact]
    public void Should_refuse_weights_that_make_nan()
    {
        // Given a checkpoint whose head bias is NaN (hashes intact: the file is as saved)
        using var fixture = new CheckpointFixture(adjust: model =>
        {
            using var noGrad = TorchSharp.torch.no_grad();
            foreach (var (name, parameter) in model.named_parameters())
                if (name.StartsWith("head.bias", StringComparison.Ordinal)) parameter.fill_(double.NaN);
        });

        // When generating from it
        var result = Generate(fixture);

        // Then the checkpoint is named as unusable, not reported as a crash, and no WAV is left behind
        AssertBadInput(result, "model", "NaN");
        Assert.False(File.Exists(fixture.File("out.wav")));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(fixture.File("out.wav"))!, "out.wav*"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("1e9")]
    public void Should_refuse_seconds_out_of_range(string seconds)
    {
        // Given a checkpoint
        using var fixture = new CheckpointFixture();

        // When asking for a non-positive length, or one no WAV file can hold
        var result = Generate(fixture, "--seconds", seconds);

        // Then the option is named and nothing is written
        AssertBadInput(result, "--seconds", "");
        Assert.False(File.Exists(fixture.File("out.wav")));
    }

    private static CliHarness.Result Generate(CheckpointFixture fixture, params string[] extra) =>
        CliHarness.Run(["generate", "--model", fixture.ModelDir, "--out", fixture.File("out.wav"), "--device", "cpu", "--quiet",
            .. extra.Contains("--seconds") ? extra : [.. extra, "--seconds", "0.25"]]);

    private static void AssertBadInput(CliHarness.Result result, string names, string says)
    {
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(names, line, StringComparison.Ordinal);
        Assert.Contains(says, line, StringComparison.Ordinal);
    }
}

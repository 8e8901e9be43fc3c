using System.Text.Json.Nodes;
using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Tests.Cli;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// <c>train --resume</c> on a checkpoint that is damaged, edited or from elsewhere: always exit 2
/// with one line naming the file and the problem, never a stack trace or an internal error.
/// </summary>
[Collection("Console")]
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly TempDir _dir = new();

    public DamagedCheckpointTests()
    {
        const int rate = 8000;
        var tone = Enumerable.Range(0, 2 * rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 330 * i / rate))).ToArray();
        AudioFile.WriteWav(Song, tone, rate, SampleFormat.S16);
        var trained = CliHarness.Run(Train(1));
        Assert.True(trained.ExitCode == 0, trained.Error);
    }

    public void Dispose() => _dir.Dispose();

    private string Song => _dir.File("tone.wav");

    private string Folder => Path.Combine(_dir.File("out"), "checkpoint");

    private string ConfigPath => Path.Combine(Folder, Checkpoint.ConfigFile);

    private string WeightsPath => Path.Combine(Folder, Checkpoint.WeightsFile);

    private string OptimizerPath => Path.Combine(Folder, Checkpoint.OptimizerFile);

    private string[] Train(int epochs, params string[] extra) =>
        ["train", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--audio", Song, "--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--arch", "gru", "--hidden", "8",
            "--window", "20", "--stride", "20", "--out", _dir.File("out"), "--threads", "1", "--quiet", .. extra];

    /// <summary>Resumes to a second epoch and checks the refusal: exit 2, one line, starting "musicrnn: {file}:" and saying <paramref name="problem"/>.</summary>
    private void AssertRefused(string file, string problem)
    {
        var result = CliHarness.Run(Train(2, "--resume"));
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Error}");
        string line = Assert.Single(result.ErrorLines);
        Assert.True(line.StartsWith($"musicrnn: {file}:", StringComparison.Ordinal) && line.Contains(problem, StringComparison.Ordinal), line);
        Assert.DoesNotContain(" at ", line);
    }

    private void EditConfig(Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        edit(config);
        File.WriteAllText(ConfigPath, config.ToJsonString());
    }

    /// <summary>Rewrites a tensor file through <paramref name="edit"/> and records its new hash, as a careless tool would.</summary>
    private void EditTensors(string path, Action<Dictionary<string, Tensor>> edit)
    {
        var tensors = Safetensors.Load(path);
        try
        {
            edit(tensors);
            Safetensors.Save(path, tensors);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        string hash = Checkpoint.Sha256Of(path);
        EditConfig(c => c["tensors"]![Path.GetFileName(path)] = hash);
    }

    [Fact]
    public void Should_refuse_a_newer_format_version_saying_so()
    {
        // Given a checkpoint that claims format version 3, then the refusal names config.json and the versions
        EditConfig(c => c["version"] = 3);
        AssertRefused(ConfigPath, "format version 3 is newer than this MusicRnn reads (version 2)");
    }

    [Fact]
    public void Should_refuse_a_missing_weight_tensor_naming_it()
    {
        // Given weights without the recurrent matrix (and a matching hash), then the refusal names the tensor
        EditTensors(WeightsPath, t =>
        {
            t.Remove("rnn.weight_hh_l0", out var gone);
            gone!.Dispose();
        });
        AssertRefused(WeightsPath, "has no tensor 'rnn.weight_hh_l0', which the gru model needs");
    }

    [Fact]
    public void Should_refuse_a_weight_tensor_of_the_wrong_shape_naming_both_shapes()
    {
        // Given a head bias of 3 values instead of 64, then the refusal names the tensor and both shapes
        EditTensors(WeightsPath, t =>
        {
            t["head.bias"].Dispose();
            t["head.bias"] = zeros(3);
        });
        AssertRefused(WeightsPath, "tensor 'head.bias' has shape [3], the model needs [64]");
    }

    [Fact]
    public void Should_refuse_weights_whose_hash_does_not_match_the_config()
    {
        // Given one flipped byte at the end of the weights (inside a tensor's data), then the refusal names the hash mismatch
        var bytes = File.ReadAllBytes(WeightsPath);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(WeightsPath, bytes);
        AssertRefused(WeightsPath, "SHA-256 is");
    }

    [Fact]
    public void Should_refuse_a_missing_optimizer_state_tensor_naming_it()
    {
        // Given optimizer state without one parameter's running average
        EditTensors(OptimizerPath, t =>
        {
            string name = t.Keys.First(k => k.StartsWith("head.bias", StringComparison.Ordinal));
            t.Remove(name, out var gone);
            gone!.Dispose();
        });
        var result = CliHarness.Run(Train(2, "--resume"));

        // Then exit 2 naming the optimizer file and the state
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("optimizer.safetensors", Assert.Single(result.ErrorLines));
        Assert.Contains("'head.bias.", result.Error);
    }

    [Fact]
    public void Should_refuse_a_deleted_tensor_file()
    {
        File.Delete(OptimizerPath);
        AssertRefused(OptimizerPath, "missing from the checkpoint");
    }

    [Theory]
    [InlineData("{\"format\": \"musicrnn-checkpoint\", \"version\": 1", "config.json is not valid")]
    [InlineData("[1, 2]", "not a MusicRnn checkpoint")]
    [InlineData("{\"format\": \"musicrnn-checkpoint\", \"version\": \"1\"}", "version")]
    [InlineData("{\"format\": \"musicrnn-checkpoint\", \"version\": 1}", "config.json is not valid")]
    public void Should_refuse_a_config_that_is_not_a_whole_checkpoint_description(string json, string problem)
    {
        // Given a config.json that is cut off, of the wrong shape, or missing its sections
        File.WriteAllText(ConfigPath, json);
        AssertRefused(ConfigPath, problem);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("codec")]
    [InlineData("training")]
    [InlineData("tensors")]
    public void Should_refuse_a_config_with_a_null_section_naming_it(string section)
    {
        // Given a config.json whose section is null, then the refusal names the section
        EditConfig(c => c[section] = null);
        AssertRefused(ConfigPath, $"'{section}'");
    }
}

using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Training;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public TrainCommandTests()
    {
        // Two seconds of a C-major chord at 8 kHz: 250 frames of 64 samples.
        const int rate = 8000;
        var chord = Enumerable.Range(0, 2 * rate)
            .Select(i => (float)(0.2 * (Math.Sin(2 * Math.PI * 261.6 * i / rate) + Math.Sin(2 * Math.PI * 329.6 * i / rate) + Math.Sin(2 * Math.PI * 392.0 * i / rate))))
            .ToArray();
        AudioFile.WriteWav(Song, chord, rate, SampleFormat.S16);
    }

    private string Song => _dir.File("chord.wav");

    private string Out => _dir.File("out");

    /// <summary>
    /// A run small enough for a test (64-sample frames, 8 hidden units, 1 epoch); <paramref name="changes"/>
    /// replace options already there ("--opt value") or add flags ("--resume").
    /// </summary>
    private string[] Tiny(params string[] changes)
    {
        var options = new List<(string Name, string? Value)>
        {
            ("--audio", Song), ("--codec", "rfft"), ("--sample-rate", "8000"), ("--frame", "64"), ("--arch", "gru"), ("--hidden", "8"),
            ("--window", "20"), ("--stride", "20"), ("--epochs", "1"), ("--out", Out), ("--threads", "1"), ("--quiet", null),
        };
        for (int i = 0; i < changes.Length; i++)
        {
            string? value = i + 1 < changes.Length && !changes[i + 1].StartsWith("--", StringComparison.Ordinal) ? changes[++i] : null;
            int at = options.FindIndex(o => o.Name == changes[i - (value is null ? 0 : 1)]);
            var entry = (changes[i - (value is null ? 0 : 1)], value);
            if (at >= 0) options[at] = entry;
            else options.Add(entry);
        }
        return ["train", .. options.SelectMany(o => o.Value is null ? new[] { o.Name } : new[] { o.Name, o.Value })];
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A tiny sample-level run: 4-sample frames, 16 levels, windows of 32 laid end to end.</summary>
    private string[] TinySamples(params string[] more) =>
    [
        "train", "--predict", "samples", "--audio", Song, "--sample-rate", "8000", "--hidden", "8", "--levels", "16", "--sample-frame", "4",
        "--mlp", "8", "--window", "32", "--stride", "32", "--batch", "4", "--epochs", "1", "--out", Out, "--threads", "1", "--quiet", .. more,
    ];

    [Fact]
    public void Should_train_a_sample_level_model_in_bits_against_unigram_bigram_and_its_sample_tier_alone()
    {
        // Given a chord, when training a sample-level model from the command line
        var result = CliHarness.Run(TinySamples());

        // Then it succeeds, in bits per sample, with the three baselines, and the checkpoint describes the model
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("unigram baseline", result.Out);
        Assert.Contains("sample_tier baseline", result.Out);
        Assert.StartsWith("epoch,iteration,seconds,validation_loss,unigram_loss,bigram_loss,sample_tier_loss", File.ReadAllText(Path.Combine(Out, "validation.csv")));
        using var checkpoint = Checkpoint.Load(Path.Combine(Out, "checkpoint"));
        Assert.Equal("bits", checkpoint.Config.Objective.Name);
        Assert.Equal("mulaw", checkpoint.Config.Codec.Name);
        Assert.Equal(16, checkpoint.Config.Model.SampleLevel!.Levels);
        Assert.Equal(16, checkpoint.Config.Model.OutputSize);
        Assert.Equal(MusicRnn.Models.Architecture.Gru, checkpoint.Config.Model.Arch);
        Assert.Equal(OptimizerKind.Adam, checkpoint.Config.Training.Optimizer);
    }


    [Fact]
    public void Should_generate_seeded_streams_from_a_sample_level_checkpoint_the_same_way_twice()
    {
        // Given a trained sample-level checkpoint
        Assert.Equal(0, CliHarness.Run(TinySamples()).ExitCode);
        string[] Generate(string name) =>
            ["generate", "--model", Out, "--out", _dir.File(name), "--seconds", "0.5", "--streams", "2", "--seed", "4", "--temperature", "0.9", "--threads", "1", "--quiet"];

        // When generating two streams, twice
        var first = CliHarness.Run(Generate("a.wav"));
        var second = CliHarness.Run(Generate("b.wav"));

        // Then each run writes FILE-1 and FILE-2 of half a second; equal seeds give equal files, the two streams differ
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(0, second.ExitCode);
        byte[] Read(string name) => File.ReadAllBytes(_dir.File(name));
        Assert.Equal(Read("a-1.wav"), Read("b-1.wav"));
        Assert.Equal(Read("a-2.wav"), Read("b-2.wav"));
        Assert.NotEqual(Read("a-1.wav"), Read("a-2.wav"));
        Assert.Equal(4000, AudioFile.ReadMono(_dir.File("a-1.wav"), 8000).Length);
    }

    [Fact]
    public void Should_make_in_each_stream_of_one_batched_run_the_file_a_one_stream_run_of_its_seed_makes()
    {
        // Given a trained sample-level checkpoint
        Assert.Equal(0, CliHarness.Run(TinySamples()).ExitCode);
        string[] Generate(string name, int streams, int seed) =>
            ["generate", "--model", Out, "--out", _dir.File(name), "--seconds", "0.5", "--streams", $"{streams}", "--seed", $"{seed}", "--threads", "1", "--quiet"];

        // When three streams are generated side by side with seed 7, and one stream with seed 9
        var batch = CliHarness.Run(Generate("s.wav", 3, 7));
        var single = CliHarness.Run(Generate("t.wav", 1, 9));

        // Then the third file of the batch (seed 7 + 2) is the single run's, sample for sample, metrics and all
        Assert.True(batch.ExitCode == 0, batch.Error);
        Assert.Equal(0, single.ExitCode);
        Assert.Equal(File.ReadAllBytes(_dir.File("t.wav")), File.ReadAllBytes(_dir.File("s-3.wav")));
        Assert.Equal(File.ReadAllText(_dir.File("t.json")), File.ReadAllText(_dir.File("s-3.json")));
        Assert.Equal(3, batch.Out.Trim().Split('\n').Length);
    }

    [Theory]
    [InlineData(new[] { "--tiers", "2" }, "--tiers: belongs to a sample-level model")]
    public void Should_refuse_sample_options_without_predict_samples(string[] extra, string expected)
    {
        var result = CliHarness.Run([.. Tiny(), .. extra]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("--codec", "rfft", "a sample-level model reads quantized samples")]
    [InlineData("--quantize", "alaw", "--quantize: expected mulaw or linear")]
    [InlineData("--tiers", "4", "--tiers: expected 1 (sample tier alone), 2 or 3 tiers")]
    public void Should_reject_a_bad_sample_level_option_with_one_line(string option, string value, string expected)
    {
        var result = CliHarness.Run(TinySamples(option, value));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void Should_train_and_leave_a_checkpoint_and_logs()
    {
        // Given a chord and tiny settings, when training from the command line
        var result = CliHarness.Run(Tiny());

        // Then it succeeds and writes the checkpoint and both logs
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("epoch 1: train loss", result.Out);
        using var checkpoint = Checkpoint.Load(Path.Combine(Out, "checkpoint"));
        Assert.Equal(MusicRnn.Models.Architecture.Gru, checkpoint.Config.Model.Arch);
        Assert.Equal(Path.GetFullPath(Song), Assert.Single(checkpoint.Config.Data.Songs).Path);
        Assert.True(File.Exists(Path.Combine(Out, TrainingLog.IterationFile)));
        Assert.True(File.Exists(Path.Combine(Out, TrainingLog.ValidationFile)));
    }

    [Theory]
    [InlineData("", "scaled")]
    [InlineData("--readout residual", "residual")]
    [InlineData("--readout plain", "plain")]
    [InlineData("--arch mlp", "plain")]
    [InlineData("--objective reconstruct", "plain")]
    public void Should_read_out_through_the_scaled_skip_by_default_and_through_the_plain_head_where_the_skip_does_not_fit(string extra, string readout)
    {
        // Given tiny settings, with nothing else, a readout asked for, a feed-forward model or the frame itself as target
        var changes = extra.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // When training from the command line
        var result = CliHarness.Run(Tiny(changes));

        // Then the checkpoint holds the readout (the default where it fits, the plain head where it does not) and train's learning rate
        Assert.True(result.ExitCode == 0, result.Error);
        using var checkpoint = Checkpoint.Load(Path.Combine(Out, "checkpoint"));
        Assert.Equal(readout, checkpoint.Config.Model.Readout.ToString().ToLowerInvariant());
        Assert.Equal(1e-4, checkpoint.Config.Training.LearningRate);
    }

    [Theory]
    [InlineData("--arch", "transformer", "--arch: expected one of rnn, lstm, gru, cwrnn, logreg, mlp, got 'transformer'")]
    [InlineData("--codec", "wavelet", "--codec: unknown codec 'wavelet'")]
    [InlineData("--hidden", "0", "--hidden: expected a positive number of units, got 0")]
    [InlineData("--stride", "0", "--stride: expected a positive number of frames, got 0")]
    [InlineData("--lr", "-0.1", "--lr: expected a positive learning rate, got -0.1")]
    [InlineData("--epochs", "0", "--epochs: expected a positive number of epochs, got 0")]
    [InlineData("--weight-decay", "-1", "--weight-decay: expected a weight decay >= 0 (0 = off), got -1")]
    [InlineData("--weight-decay", "20000", "--weight-decay: expected lr × weight decay below 1")]
    [InlineData("--window", "5000", "--window: 5000 frames is longer than")]
    [InlineData("--optimizer", "lbfgs", "--optimizer: expected one of rmsprop, rprop, sgd, adagrad, adam, got 'lbfgs'")]
    [InlineData("--state", "keep", "--state: expected one of carry, reset, got 'keep'")]
    [InlineData("--validate", "0.9", "--validate: expected a held-out fraction from 0 to 0.5, got 0.9")]
    public void Should_reject_a_bad_option_with_one_line_and_exit_2_before_any_work(string option, string value, string expected)
    {
        // Given otherwise good settings, when one option is bad
        var result = CliHarness.Run(Tiny(option, value));

        // Then exit 2, one line naming the option, and no output folder
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("musicrnn: " + expected, line);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Should_reject_an_out_path_that_is_a_file()
    {
        // Given --out naming an existing file
        File.WriteAllText(Out, "not a folder");

        // When training, then exit 2 naming --out
        var result = CliHarness.Run(Tiny());
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"musicrnn: --out: expected a folder, but {Out} is a file", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Should_reject_unreadable_audio_naming_the_file()
    {
        // Given a text file posing as audio
        string fake = _dir.File("fake.wav");
        File.WriteAllText(fake, "this is not audio at all");

        // When training on it, then exit 2 with a line that names the file
        var result = CliHarness.Run(Tiny("--audio", fake));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"musicrnn: {fake}", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Should_reject_resuming_a_folder_without_a_checkpoint()
    {
        // Given an empty output folder
        Directory.CreateDirectory(Out);

        // When resuming it, then exit 2 naming --resume
        var result = CliHarness.Run(Tiny("--resume"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("musicrnn: --resume: expected", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Should_reject_resuming_with_different_settings_and_continue_with_the_same()
    {
        // Given a finished 1-epoch run
        Assert.Equal(0, CliHarness.Run(Tiny()).ExitCode);

        // When resuming it with another learning rate
        var changed = CliHarness.Run(Tiny("--resume", "--epochs", "2", "--lr", "0.01"));

        // Then exit 2 naming the setting; with the same settings it trains epoch 2
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains("training.learning_rate = 0.0001, this run asks for 0.01", Assert.Single(changed.ErrorLines));
        var same = CliHarness.Run(Tiny("--resume", "--epochs", "2"));
        Assert.True(same.ExitCode == 0, same.Error);
        Assert.Contains("epoch 2: train loss", same.Out);
        Assert.DoesNotContain("epoch 1:", same.Out);
    }

    [Fact]
    public void Should_refuse_to_overwrite_a_checkpoint_without_resume()
    {
        // Given a finished run, when training into the same folder again without --resume
        Assert.Equal(0, CliHarness.Run(Tiny()).ExitCode);
        var again = CliHarness.Run(Tiny());

        // Then exit 2: the checkpoint is not silently replaced
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already holds a checkpoint", Assert.Single(again.ErrorLines));
    }
}

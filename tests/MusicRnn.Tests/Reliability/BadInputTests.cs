using MusicRnn.Audio;
using MusicRnn.Tests.Cli;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// The bad-input contract across inspect, transcode and train: exit 2, one stderr line that names
/// the file or option and the problem, no stack trace, and nothing left behind. These are the rows
/// of the README's bad-input table that other test files do not already cover.
/// </summary>
[Collection("Console")]
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public BadInputTests()
    {
        var tone = Enumerable.Range(0, 16000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 8000))).ToArray();
        AudioFile.WriteWav(_dir.File("tone.wav"), tone, 8000, SampleFormat.S16);
        File.WriteAllBytes(_dir.File("empty.wav"), []);
        File.WriteAllText(_dir.File("text.wav"), "hello, not audio");
        File.WriteAllBytes(_dir.File("cut.wav"), File.ReadAllBytes(_dir.File("tone.wav"))[..1000]);
        Directory.CreateDirectory(_dir.File("folder"));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Each case: arguments ({d} = the test folder), and the start of the one stderr line after "musicrnn: ".
    /// </summary>
    public static TheoryData<string, string> Cases() => new()
    {
        { "inspect {d}/missing.wav", "{d}/missing.wav: no such file" },
        { "inspect {d}/folder", "{d}/folder: is a directory, not an audio file" },
        { "inspect {d}/empty.wav", "{d}/empty.wav: empty file (0 bytes)" },
        { "inspect {d}/text.wav", "{d}/text.wav: not a WAV file" },
        { "inspect {d}/cut.wav", "{d}/cut.wav: WAV data chunk declares 32000 bytes but only 956 remain" },
        { "transcode {d}/tone.wav {d}/folder", "{d}/folder: is a directory, expected a WAV file to write" },
        { "transcode {d}/tone.wav {d}/missing/out.wav", "{d}/missing/out.wav: cannot write" },
        { "transcode {d}/text.wav {d}/out.wav", "{d}/text.wav: not a WAV file" },
        { "transcode {d}/tone.wav {d}/out.wav --frame 7", "--frame: frame length 7 is invalid" },
        { "transcode {d}/tone.wav {d}/out.wav --frame many", "Cannot parse argument 'many' for option '--frame'" },
        { "transcode {d}/tone.wav {d}/out.wav --sample-rate 10", "--sample-rate: expected a rate from 1000 to 384000 Hz, got 10" },
        { "transcode {d}/tone.wav {d}/out.wav --sample-format s24", "--sample-format: expected s16 or f32, got 's24'" },
        { "train --audio {d}/folder --out {d}/run", "{d}/folder: folder holds no audio file" },
        { "train --audio {d}/missing.wav --out {d}/run", "{d}/missing.wav: no such file or folder" },
        { "train --audio {d}/tone.wav --out {d}/run --threads -1", "--threads: expected 0 (all cores) or a positive count, got -1" },
        { "train --audio {d}/tone.wav --out {d}/run --device gpu", "--device: expected cpu, cuda or auto, got 'gpu'" },
        { "train --audio {d}/tone.wav --out {d}/run --lr 1e300", "--lr: expected a positive learning rate a float32 can hold" },
        { "train --audio {d}/tone.wav --out {d}/run --hidden 100000000", "--hidden: a model of 40000033100000128 parameters needs about" },
        { "train --audio {d}/tone.wav --out {d}/run --arch gru --match-params 1000000000000", "--match-params: a model of" },
        { "train --audio {d}/tone.wav --out {d}/run --lr NaN", "--lr: expected a positive learning rate, got NaN" },
        { "train --audio {d}/tone.wav --out /proc/musicrnn-cannot-exist", "/proc/musicrnn-cannot-exist: cannot create the output folder" },
        { "train --audio {d}/text.wav --out {d}/run", "{d}/text.wav: not a WAV file" },
        { "train --audio {d}/tone.wav --out {d}/run --arch mlp --readout residual", "--readout: residual belongs to recurrent frame models (rnn, lstm, gru, cwrnn), not to mlp" },
        { "train --audio {d}/tone.wav --out {d}/run --objective reconstruct --readout scaled", "--readout: scaled predicts the next frame as a change from the current one, so it needs --objective next, got reconstruct" },
        { "bench --preset koutnik --out {d}/run --readout residual", "--readout: the sequence task's input is a constant 1" },
        { "bench --out {d}/run --objective reconstruct --readout residual", "--readout: residual predicts the next frame as a change from the current one" },
        { "frobnicate", "Unrecognized command or argument 'frobnicate'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_exit_2_with_one_line_naming_the_input_and_no_stack_trace(string arguments, string expected)
    {
        // Given arguments with one bad input (training ones made small and quiet)
        var args = arguments.Replace("{d}", _dir.Path, StringComparison.Ordinal).Split(' ').ToList();
        if (args[0] == "train") args.AddRange(["--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--window", "20", "--epochs", "1", "--quiet"]);

        // When run
        var result = CliHarness.Run([.. args]);

        // Then exit 2 and exactly one line, starting with the input's name and problem, without a stack frame
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Error}");
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("musicrnn: " + expected.Replace("{d}", _dir.Path, StringComparison.Ordinal), line);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Empty(result.Out);
        Assert.False(Directory.Exists(_dir.File("run")), "a refused train left its output folder behind");
        Assert.False(File.Exists(_dir.File("out.wav")) || File.Exists(_dir.File("out.wav.part")), "a refused transcode left output behind");
    }
}

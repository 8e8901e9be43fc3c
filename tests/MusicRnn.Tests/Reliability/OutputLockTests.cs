using System.Diagnostics;
using MusicRnn.Audio;
using MusicRnn.Tests.Cli;
using MusicRnn.Training;

namespace MusicRnn.Tests.Reliability;

[Collection("Console")]
public sealed class OutputLockTests : IDisposable
{
    private readonly TempDir _dir = new();

    public OutputLockTests()
    {
        const int rate = 8000;
        var tone = Enumerable.Range(0, 2 * rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / rate))).ToArray();
        AudioFile.WriteWav(Song, tone, rate, SampleFormat.S16);
    }

    public void Dispose() => _dir.Dispose();

    private string Song => _dir.File("tone.wav");

    private string Out => _dir.File("out");

    private string[] Train(params string[] extra) =>
        ["train", "--audio", Song, "--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--arch", "gru", "--hidden", "8",
            "--window", "20", "--stride", "20", "--epochs", "2", "--out", Out, "--threads", "1", "--quiet", .. extra];

    [Fact]
    public void Should_refuse_a_second_claim_and_allow_one_after_release()
    {
        // Given a folder claimed in this process
        var first = OutputLock.Acquire(Out);

        // When claiming it again, then the refusal names the folder and this process
        var refused = Assert.Throws<InputException>(() => OutputLock.Acquire(Out));
        Assert.Equal($"{Out}: in use by another musicrnn process (pid {Environment.ProcessId})", refused.Message);

        // And once released it can be claimed again
        first.Dispose();
        using var second = OutputLock.Acquire(Out);
        Assert.Equal(Out, second.Directory);
    }

    [Fact]
    public void Should_refuse_train_on_a_folder_in_use_with_exit_2_and_leave_it_untouched()
    {
        // Given a folder held by another claim (as a running train or bench holds it)
        using var held = OutputLock.Acquire(Out);

        // When training into it
        var result = CliHarness.Run(Train());

        // Then exit 2, one line naming the folder and the holder, and nothing written
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"musicrnn: {Out}: in use by another musicrnn process (pid {Environment.ProcessId})", Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(Path.Combine(Out, TrainingLog.IterationFile)));
    }

    [Fact]
    public void Should_refuse_while_another_process_trains_and_accept_after_it_is_killed()
    {
        // Given a real musicrnn process training into the folder (its checkpoint writes slowed down so it lives a while)
        using var other = ChildCli.Start(Train(), new Dictionary<string, string> { ["MUSICRNN_TEST_PAUSE_IN_CHECKPOINT"] = "2000" });
        var clock = Stopwatch.StartNew();
        string pidFile = Path.Combine(Out, OutputLock.PidFile);
        while (!File.Exists(Path.Combine(Out, TrainingLog.ValidationFile)))
        {
            Assert.False(other.HasExited, "the first run ended early");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the first run did not start");
            Thread.Sleep(5);
        }

        // When a second train targets the same folder, then it is refused naming the first process
        var second = CliHarness.Run(Train());
        Assert.Equal(2, second.ExitCode);
        Assert.Equal($"musicrnn: {Out}: in use by another musicrnn process (pid {other.Id})", Assert.Single(second.ErrorLines));

        // And after the first is killed (SIGKILL: it cleans nothing up) the folder is free again and resumable
        other.Kill();
        Assert.True(other.Wait(TimeSpan.FromSeconds(30)).Killed);
        var resumed = CliHarness.Run(Train("--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("epoch 2: train loss", resumed.Out);
    }
}

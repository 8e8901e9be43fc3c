using System.Buffers.Binary;
using System.Diagnostics;
using MusicRnn.Audio;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// An hour of CD-quality stereo (635 MB of WAV) through the real <c>inspect</c> and
/// <c>transcode</c> processes: both must finish with a peak resident memory under 400 MB,
/// which only block-by-block processing allows (the decoded hour alone is 1.27 GB of floats).
/// </summary>
[Collection("Processes")]
public sealed class LongAudioTests(ITestOutputHelper output) : IDisposable
{
    private const int Rate = 44100;
    private const int Seconds = 3600;
    private const long PeakLimit = 400L * 1024 * 1024;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Writes the hour in 1-second blocks: a 220/330 Hz chord whose level drifts from block to
    /// block, left and right differing, so the file is not one block repeated.
    /// </summary>
    private static void WriteHour(string path)
    {
        long dataBytes = (long)Rate * Seconds * 4;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var header = new byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(dataBytes + 36));
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), Rate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), Rate * 4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)dataBytes);
        file.Write(header);

        // One second of each channel's waveform, scaled per block.
        var left = new double[Rate];
        var right = new double[Rate];
        for (int i = 0; i < Rate; i++)
        {
            left[i] = Math.Sin(2 * Math.PI * 220 * i / Rate);
            right[i] = Math.Sin(2 * Math.PI * 330 * i / Rate);
        }
        var block = new byte[Rate * 4];
        for (int s = 0; s < Seconds; s++)
        {
            double gain = 12000 + (8000 * Math.Sin(s * 0.01));
            for (int i = 0; i < Rate; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(4 * i), (short)(gain * left[i]));
                BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan((4 * i) + 2), (short)(0.8 * gain * right[i]));
            }
            file.Write(block);
        }
    }

    [Fact]
    public void Should_inspect_and_transcode_an_hour_of_stereo_in_under_400_MB()
    {
        Assert.True(ChildCli.CanMeasureMemory, "/usr/bin/time (GNU time) is needed to measure peak memory");

        // Given an hour of 44.1 kHz stereo 16-bit WAV
        string song = _dir.File("hour.wav");
        var clock = Stopwatch.StartNew();
        WriteHour(song);
        output.WriteLine($"wrote {new FileInfo(song).Length / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F1} s");

        // When inspected
        clock.Restart();
        var inspect = ChildCli.Run(["inspect", song], TimeSpan.FromMinutes(5), measureMemory: true);
        output.WriteLine($"inspect: {clock.Elapsed.TotalSeconds:F1} s, peak RSS {inspect.PeakRssBytes / 1048576.0:F0} MiB");

        // Then it reports the hour and stays under the limit
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        Assert.Contains($"({(long)Rate * Seconds} samples per channel)", inspect.Out);
        Assert.True(inspect.PeakRssBytes < PeakLimit, $"inspect peaked at {inspect.PeakRssBytes / 1048576.0:F0} MiB");

        // When transcoded (to 22.05 kHz mono through the default rfft codec)
        clock.Restart();
        string transcoded = _dir.File("hour-rfft.wav");
        var transcode = ChildCli.Run(["transcode", song, transcoded], TimeSpan.FromMinutes(10), measureMemory: true);
        output.WriteLine($"transcode: {clock.Elapsed.TotalSeconds:F1} s, peak RSS {transcode.PeakRssBytes / 1048576.0:F0} MiB; {transcode.Out.Trim()}");

        // Then it writes the whole hour, measures a finite SNR, and stays under the limit
        Assert.True(transcode.ExitCode == 0, transcode.Error);
        long expectedSamples = (long)22050 * Seconds;
        Assert.Contains($"{expectedSamples} samples at 22050 Hz", transcode.Out);
        Assert.Equal(44 + (2 * expectedSamples), new FileInfo(transcoded).Length);
        Assert.Equal(expectedSamples, AudioFile.Probe(transcoded).FramesPerChannel);
        Assert.True(transcode.PeakRssBytes < PeakLimit, $"transcode peaked at {transcode.PeakRssBytes / 1048576.0:F0} MiB");
    }
}

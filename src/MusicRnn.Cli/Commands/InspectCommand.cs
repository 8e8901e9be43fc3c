using System.CommandLine;
using System.Globalization;
using MusicRnn.Audio;

namespace MusicRnn.Cli.Commands;

/// <summary><c>musicrnn inspect FILE</c>: what an audio file holds, before anyone trains on it.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "a WAV, MP3 or Ogg Vorbis file" };
        var command = new Command("inspect", "Show an audio file's container, encoding, rate, channels, duration, peak and RMS.")
        {
            file,
        };
        command.SetAction(parsed => Run(parsed.GetRequiredValue(file)));
        return command;
    }

    private static int Run(string path)
    {
        // Measured block by block while decoding: an hour-long file needs no more memory than a short one.
        var meter = new Loudness.Meter();
        AudioInfo info = AudioFile.ReadMonoBlocks(path, sampleRate: null, meter.Add);
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"file:        {path}");
        Console.WriteLine($"container:   {info.Container}");
        Console.WriteLine($"encoding:    {info.Encoding}");
        Console.WriteLine(string.Create(c, $"rate:        {info.SampleRate} Hz"));
        Console.WriteLine(string.Create(c, $"channels:    {info.Channels}"));
        Console.WriteLine(string.Create(c, $"duration:    {info.Seconds:0.000} s ({info.FramesPerChannel} samples per channel)"));
        Console.WriteLine(string.Create(c, $"peak:        {meter.PeakDbfs:0.00} dBFS (mono mix)"));
        Console.WriteLine(string.Create(c, $"rms:         {meter.RmsDbfs:0.00} dBFS (mono mix)"));
        return CliRunner.Ok;
    }
}

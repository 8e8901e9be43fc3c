using System.CommandLine;
using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Synthesis;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn synth</c>: renders the built-in electronic track (drums, bass, arpeggiated lead;
/// deterministic per seed) to a WAV file — the song <c>demo</c> trains on, and a quick way to
/// get test material without shipping audio.
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new TrackSpec();
        var output = new Option<string>("--out") { Description = "WAV file to write", Required = true };
        var seconds = new Option<double>("--seconds")
        {
            Description = "length in seconds, in (0, 3600]",
            DefaultValueFactory = _ => defaults.Seconds,
        };
        var seed = new Option<int>("--seed") { Description = "picks the chords, patterns and sounds; same seed, same samples" };
        var bpm = new Option<double>("--bpm")
        {
            Description = "tempo in beats per minute, in [40, 300]",
            DefaultValueFactory = _ => defaults.Bpm,
        };
        var sampleRate = new Option<int>("--sample-rate")
        {
            Description = "samples per second, in [8000, 192000]",
            DefaultValueFactory = _ => defaults.SampleRate,
        };
        var sampleFormat = CommonOptions.SampleFormat();

        var command = new Command("synth", "Render the built-in deterministic electronic track to a WAV file")
        {
            output, seconds, seed, bpm, sampleRate, sampleFormat,
        };
        command.SetAction(parsed =>
        {
            var spec = new TrackSpec
            {
                Seconds = parsed.GetValue(seconds),
                Seed = parsed.GetValue(seed),
                Bpm = parsed.GetValue(bpm),
                SampleRate = parsed.GetValue(sampleRate),
            };
            spec.Validate();
            var format = CommonOptions.ParseSampleFormat(parsed.GetValue(sampleFormat)!);
            string path = parsed.GetValue(output)!;

            float[] track = TrackSynthesizer.Render(spec);
            AudioFile.WriteWav(path, track, spec.SampleRate, format);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {path}: {spec.Seconds:0.###} s at {spec.SampleRate} Hz, {spec.Bpm:0.###} bpm, seed {spec.Seed}"));
            return CliRunner.Ok;
        });
        return command;
    }

}

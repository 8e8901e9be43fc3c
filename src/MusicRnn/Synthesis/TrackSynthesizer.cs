using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// Renders a short electronic track in code — kick, backbeat, hats, bass and an arpeggiated
/// lead over a minor-key chord loop — as the stand-in for the electronic music the essay
/// trained on, so demos and tests have a real song without shipping audio.
/// </summary>
/// <remarks>
/// Deterministic: equal <see cref="TrackSpec"/>s give bit-identical samples (each voice draws
/// from its own SplitMix64 stream of the seed); different seeds give different progressions,
/// patterns, timbres and velocities. Pure C#, no libtorch: 30 s takes about 0.15 s of CPU in a
/// Release build.
/// For tests elsewhere that need "a real song", <c>TrackSynthesizer.Render(new TrackSpec { Seconds = 4 })</c>
/// is cheap (two bars at 120 bpm, 88200 samples at 22050 Hz, tens of milliseconds).
/// </remarks>
public static class TrackSynthesizer
{
    /// <summary>Peak of the final mix: -1 dBFS, headroom for resampling and codecs that overshoot.</summary>
    public const float PeakLevel = 0.89f;

    /// <summary>Renders the track.</summary>
    /// <returns>Mono samples in [-1, 1], <see cref="TrackSpec.SampleCount"/> of them, peaking at <see cref="PeakLevel"/>.</returns>
    /// <exception cref="InputException">A field of <paramref name="spec"/> is out of range.</exception>
    public static float[] Render(TrackSpec spec) => Render(spec, Voices.All);

    /// <summary>Renders only some voices (tests listen to one part at a time); normalised like the full mix.</summary>
    internal static float[] Render(TrackSpec spec, Voices voices)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var grid = new BeatGrid(spec);
        var chords = Progression(spec);
        var mix = new float[grid.Length];

        // Relative levels before normalisation: the kick leads (dance music is mixed around it),
        // bass and backbeat next, the lead sits on top and the hats are seasoning. The random
        // streams are forked whether or not a voice plays, so a voice sounds the same alone.
        if (voices.HasFlag(Voices.Kick)) Kick.Render(mix, grid, SynthRandom.ForVoice(spec.Seed, "kick"), gain: 1.0);
        if (voices.HasFlag(Voices.Snare)) Snare.Render(mix, grid, SynthRandom.ForVoice(spec.Seed, "snare"), gain: 0.8);
        if (voices.HasFlag(Voices.HiHat)) HiHat.Render(mix, grid, SynthRandom.ForVoice(spec.Seed, "hihat"), gain: 0.5);
        if (voices.HasFlag(Voices.Bass)) Bass.Render(mix, grid, chords, SynthRandom.ForVoice(spec.Seed, "bass"), gain: 0.5);
        if (voices.HasFlag(Voices.Lead)) Lead.Render(mix, grid, chords, SynthRandom.ForVoice(spec.Seed, "lead"), gain: 0.8);

        Normalize(mix);
        return mix;
    }

    /// <summary>The chord loop a spec's seed picks (tests check the harmony against it).</summary>
    internal static ChordProgression Progression(TrackSpec spec) =>
        ChordProgression.Create(spec.Seed, SynthRandom.ForVoice(spec.Seed, "chords"));

    // One gain for the whole mix, never a limiter: the relative levels and the transients stay
    // exactly as rendered, and no sample can clip.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normalize(float[] mix)
    {
        float peak = 0;
        foreach (float x in mix) peak = Math.Max(peak, Math.Abs(x));
        if (peak == 0) return;
        float scale = PeakLevel / peak;
        for (int i = 0; i < mix.Length; i++) mix[i] *= scale;
    }
}

/// <summary>The parts of the track, for rendering some alone.</summary>
[Flags]
internal enum Voices
{
    Kick = 1,
    Snare = 2,
    HiHat = 4,
    Bass = 8,
    Lead = 16,
    All = Kick | Snare | HiHat | Bass | Lead,
}

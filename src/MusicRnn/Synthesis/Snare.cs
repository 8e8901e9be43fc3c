using System.Runtime.CompilerServices;

namespace MusicRnn.Synthesis;

/// <summary>
/// The backbeat on beats 2 and 4: either a snare (a short pitched body plus band-passed noise
/// for the rattle of the wires) or a clap (a few noise bursts a hair apart — many hands not
/// quite together — then a diffuse tail). The seed picks which, and adds the odd fill.
/// </summary>
internal static class Snare
{
    public static void Render(Span<float> mix, BeatGrid grid, SynthRandom random, double gain)
    {
        bool clap = random.Chance(0.5);
        var sound = new Sound(
            clap,
            BodyHz: random.Range(170, 220),
            NoiseHz: clap ? random.Range(1000, 1500) : random.Range(1600, 2600),
            DecaySeconds: random.Range(0.1, 0.18));

        for (int bar = 0; bar < grid.Bars; bar++)
        {
            Hit(mix, grid.StepStart(bar, 4), grid.SampleRate, sound, random, gain);
            Hit(mix, grid.StepStart(bar, 12), grid.SampleRate, sound, random, gain);

            // A fill at the end of some four-bar phrases: three rising sixteenths after the last
            // backbeat announce the next phrase.
            if (bar % 4 == 3 && random.Chance(0.5))
            {
                for (int step = 13; step < 16; step++)
                    Hit(mix, grid.StepStart(bar, step), grid.SampleRate, sound, random, gain * (0.3 + 0.15 * (step - 13)));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hit(Span<float> mix, int start, int sampleRate, Sound sound, SynthRandom random, double gain)
    {
        int length = Math.Min((int)(6 * sound.DecaySeconds * sampleRate), mix.Length - start);
        var noiseFilter = new StateVariableFilter(sampleRate, sound.NoiseHz, sound.Clap ? 1.5 : 0.8);
        int fade = Math.Max(1, (int)(0.01 * sampleRate));
        double phase = 0;
        for (int i = 0; i < length; i++)
        {
            double t = (double)i / sampleRate;
            noiseFilter.Process(random.Noise());
            double y;
            if (sound.Clap)
            {
                // Three 8 ms bursts 11 ms apart, the last one opening into the room's tail:
                // the smear is what makes it a clap.
                double sinceBurst = t < 0.022 ? t % 0.011 : t - 0.022;
                double burst = Math.Exp(-sinceBurst / 0.008);
                double room = t < 0.022 ? 0 : 0.8 * Math.Exp(-(t - 0.022) / sound.DecaySeconds);
                double envelope = Math.Max(burst, room);
                y = 2.5 * envelope * noiseFilter.Band;
            }
            else
            {
                // The body drops a little in pitch as the drum head settles; it dies well before the wires do.
                phase += 2 * Math.PI * sound.BodyHz * (1 + 0.5 * Math.Exp(-t / 0.01)) / sampleRate;
                double body = 0.7 * Math.Exp(-t / 0.05) * Math.Sin(phase);
                double wires = Math.Exp(-t / sound.DecaySeconds) * (1.6 * noiseFilter.Band + 0.5 * noiseFilter.High);
                y = body + wires;
            }
            double onset = Math.Min(1, i / (0.0005 * sampleRate));
            double tail = Math.Min(1, (double)(length - i) / fade);
            mix[start + i] += (float)(gain * onset * tail * y);
        }
    }

    private readonly record struct Sound(bool Clap, double BodyHz, double NoiseHz, double DecaySeconds);
}

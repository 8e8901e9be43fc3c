using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class TrackSynthesizerTests
{
    private const int Rate = 22050;

    [Fact]
    public void Should_render_bit_identical_samples_for_the_same_spec()
    {
        // Given one spec
        var spec = new TrackSpec { Seconds = 4, Seed = 7 };

        // When it is rendered twice (from separate spec instances)
        float[] first = TrackSynthesizer.Render(spec);
        float[] second = TrackSynthesizer.Render(spec with { });

        // Then every sample is the same, bit for bit
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Should_render_a_different_track_for_a_different_seed()
    {
        // Given two specs that differ only in the seed
        float[] a = TrackSynthesizer.Render(new TrackSpec { Seconds = 4, Seed = 0 });
        float[] b = TrackSynthesizer.Render(new TrackSpec { Seconds = 4, Seed = 1 });

        // When comparing them
        double difference = a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum();
        double energy = a.Sum(x => (double)x * x);

        // Then they are different music, not the same track with a little noise changed
        Assert.True(difference > 0.2 * energy, $"difference energy {difference:F1} vs track energy {energy:F1}");
    }

    [Theory]
    [InlineData(4.0, 22050, 120.0)]
    [InlineData(2.5, 8000, 97.0)]
    [InlineData(1.3, 44100, 174.0)]
    [InlineData(0.01, 192000, 300.0)]
    [InlineData(3.0, 16000, 40.0)]
    public void Should_render_seconds_times_sample_rate_samples(double seconds, int sampleRate, double bpm)
    {
        // Given a spec at an unusual length, rate or tempo
        var spec = new TrackSpec { Seconds = seconds, SampleRate = sampleRate, Bpm = bpm };

        // When rendered
        float[] track = TrackSynthesizer.Render(spec);

        // Then there are seconds × rate samples, all finite
        Assert.Equal((int)Math.Round(seconds * sampleRate), track.Length);
        Assert.All(track, x => Assert.True(float.IsFinite(x)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_peak_at_minus_one_dBFS_without_clipping(int seed)
    {
        // Given a track
        float[] track = TrackSynthesizer.Render(new TrackSpec { Seconds = 8, Seed = seed });

        // When measuring its peak
        float peak = track.Max(Math.Abs);

        // Then it is loud but never clips: -1 dBFS is 10^(-1/20) ≈ 0.891
        Assert.InRange(peak, 0.5f, 1f);
        Assert.Equal(Math.Pow(10, -1 / 20.0), peak, 0.005);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Should_have_no_DC_offset(int seed)
    {
        // Given a track
        float[] track = TrackSynthesizer.Render(new TrackSpec { Seconds = 8, Seed = seed });

        // When averaging it
        double mean = track.Average(x => (double)x);
        double rms = Math.Sqrt(track.Average(x => (double)x * x));

        // Then the mean is tiny next to the level (DC wastes headroom and thumps on playback)
        Assert.True(Math.Abs(mean) < 0.01 * rms, $"mean {mean:E2}, rms {rms:F3}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Should_have_energy_in_the_kick_bass_and_hat_bands(int seed)
    {
        // Given an 8 s track
        float[] track = TrackSynthesizer.Render(new TrackSpec { Seconds = 8, Seed = seed });

        // When splitting its spectrum into bands
        double total = SpectrumProbe.BandEnergy(track, Rate, 0, Rate / 2.0 + 1);
        double kick = SpectrumProbe.BandEnergy(track, Rate, 40, 120) / total;
        double bass = SpectrumProbe.BandEnergy(track, Rate, 60, 250) / total;
        double hats = SpectrumProbe.BandEnergy(track, Rate, 6000, Rate / 2.0 + 1) / total;

        // Then the low end carries most of the energy, as in dance music, and the hats a
        // small but clearly present share (white noise at this level would be ~0.1 %)
        Assert.True(kick > 0.3, $"kick band share {kick:P1}");
        Assert.True(bass > 0.15, $"bass band share {bass:P1}");
        Assert.True(hats > 0.002, $"hat band share {hats:P2}");
    }

    [Fact]
    public void Should_get_the_band_above_6kHz_from_the_hats()
    {
        // Given the hats alone and the track without them
        var spec = new TrackSpec { Seconds = 4, Seed = 0 };
        float[] hats = TrackSynthesizer.Render(spec, Voices.HiHat);
        float[] rest = TrackSynthesizer.Render(spec, Voices.All & ~Voices.HiHat);

        // When measuring each one's share above 6 kHz (shares, so normalisation does not matter)
        double hatsHigh = SpectrumProbe.BandEnergy(hats, Rate, 6000, Rate) / SpectrumProbe.BandEnergy(hats, Rate, 0, Rate);
        double restHigh = SpectrumProbe.BandEnergy(rest, Rate, 6000, Rate) / SpectrumProbe.BandEnergy(rest, Rate, 0, Rate);

        // Then the hats live up there and the other voices hardly do
        Assert.True(hatsHigh > 0.9, $"hats' share above 6 kHz {hatsHigh:P1}");
        Assert.True(restHigh < 0.02, $"other voices' share above 6 kHz {restHigh:P2}");
    }

    [Theory]
    [InlineData(120.0, 0)]
    [InlineData(137.0, 1)]
    [InlineData(92.0, 2)]
    public void Should_put_the_kick_band_peaks_on_the_beats(double bpm, int seed)
    {
        // Given a track and the energy envelope of its kick band (1024-sample frames every 256)
        const int frame = 1024, hop = 256;
        float[] track = TrackSynthesizer.Render(new TrackSpec { Seconds = 8, Bpm = bpm, Seed = seed });
        double[] envelope = SpectrumProbe.BandEnvelope(track, Rate, 40, 120, frame, hop);
        double beat = 60 / bpm;

        // When finding, inside each beat, the frame whose centre has the most kick-band energy
        int beats = (int)((double)(track.Length - frame) / Rate / beat);
        for (int k = 0; k < beats; k++)
        {
            double onset = k * beat;
            int best = -1;
            for (int f = 0; f < envelope.Length; f++)
            {
                double centre = (f * hop + frame / 2.0) / Rate;
                if (centre < onset - 0.1 * beat || centre >= onset + 0.9 * beat) continue;
                if (best < 0 || envelope[f] > envelope[best]) best = f;
            }
            double peak = (best * hop + frame / 2.0) / Rate;

            // Then that peak sits right after the beat onset (60/bpm s apart), not between beats
            Assert.InRange(peak - onset, -0.01, 0.08);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_sound_each_bars_chord_most_strongly_in_the_bass_and_lead(int seed)
    {
        // Given the pitched voices of four bars (2 s each at 120 bpm) and the chord loop the seed picked
        var spec = new TrackSpec { Seconds = 8, Seed = seed };
        float[] pitched = TrackSynthesizer.Render(spec, Voices.Bass | Voices.Lead);
        var progression = TrackSynthesizer.Progression(spec);

        for (int bar = 0; bar < 4; bar++)
        {
            // When finding the loudest pitch class of the bar
            double[] chroma = SpectrumProbe.Chroma(pitched.AsSpan(bar * 2 * Rate, 2 * Rate), Rate);
            int loudest = Array.IndexOf(chroma, chroma.Max());

            // Then it is a note of the bar's triad (root, minor or major third, fifth)
            var chord = progression.AtBar(bar);
            int[] triad = [chord.Root, (chord.Root + (chord.Minor ? 3 : 4)) % 12, (chord.Root + 7) % 12];
            Assert.Contains(loudest, triad);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_start_in_A_minor(int seed)
    {
        // Given the first bar's chord
        var chord = TrackSynthesizer.Progression(new TrackSpec { Seed = seed }).AtBar(0);

        // Then it is the tonic of A minor: A (pitch class 9) with a minor third
        Assert.Equal(9, chord.Root);
        Assert.True(chord.Minor);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_change_the_spectrum_of_the_full_mix_when_the_chord_changes(int seed)
    {
        // Given the full mix over five bars; bar 1 and bar 3 hold different chords, and some
        // later bar holds bar 1's chord again (bar 2 when chords last two bars, bar 5 when one)
        var spec = new TrackSpec { Seconds = 10, Seed = seed };
        float[] track = TrackSynthesizer.Render(spec);
        int sameChordBar = TrackSynthesizer.Progression(spec).BarsPerChord == 2 ? 1 : 4;
        double[] Bar(int bar) => SpectrumProbe.Chroma(track.AsSpan(bar * 2 * Rate, 2 * Rate), Rate);

        // When comparing the bars' pitch-class profiles
        double changed = Cosine(Bar(0), Bar(2));
        double same = Cosine(Bar(0), Bar(sameChordBar));

        // Then bar 3 sounds less like bar 1 than the bar with bar 1's chord does, and clearly different
        Assert.True(changed < same, $"bar 1 vs 3: {changed:F3}, vs same chord: {same:F3}");
        Assert.True(changed < 0.9, $"bar 1 vs 3: {changed:F3}");
    }

    [Fact]
    public void Should_reject_an_invalid_spec_before_rendering()
    {
        // Given a spec with an impossible tempo
        var spec = new TrackSpec { Bpm = 0 };

        // When rendering, then the bad option is named
        var e = Assert.Throws<InputException>(() => TrackSynthesizer.Render(spec));
        Assert.StartsWith("--bpm:", e.Message);
    }

    private static double Cosine(double[] a, double[] b) =>
        a.Zip(b, (x, y) => x * y).Sum() / Math.Sqrt(a.Sum(x => x * x) * b.Sum(x => x * x));
}

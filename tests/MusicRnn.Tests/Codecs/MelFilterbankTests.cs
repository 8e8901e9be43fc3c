using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class MelFilterbankTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(200, 3)]
    [InlineData(1000, 15)]
    [InlineData(6400, 42)]   // one factor of 6.4 above the break adds 27 mel
    public void Should_follow_Slaneys_mel_scale(double hz, double mel)
    {
        // Given Slaney's scale (linear to 1 kHz at 200/3 Hz per mel, then 27 mel per factor 6.4)
        // When converting, then the values are the scale's, and the inverse returns the frequency
        Assert.Equal(mel, MelFilterbank.HzToMel(hz), 9);
        Assert.Equal(hz, MelFilterbank.MelToHz(mel), 6);
    }

    [Fact]
    public void Should_put_a_sine_in_the_band_whose_centre_is_nearest()
    {
        // Given 40 bands over a 1024-point FFT at 16 kHz
        var bank = new MelFilterbank(40, 1024, 16000);

        foreach (var hz in new[] { 250.0, 1000.0, 3000.0, 6000.0 })
        {
            // When a pure tone's bin is weighed by every band
            var bin = (int)Math.Round(hz * 1024 / 16000);
            var loudest = Enumerable.Range(0, bank.Bands).MaxBy(b => bank[b, bin]);

            // Then the band that hears it most is the one centred nearest to it (in mel)
            var nearest = Enumerable.Range(0, bank.Bands).MinBy(b => Math.Abs(MelFilterbank.HzToMel(bank.Centres[b]) - MelFilterbank.HzToMel(bin * 16000.0 / 1024)));
            Assert.Equal(nearest, loudest);
        }
    }

    [Fact]
    public void Should_give_every_triangle_unit_area_in_hertz()
    {
        // Given a fine FFT (bins 2.7 Hz apart), so sums approximate integrals
        const int n = 16384, rate = 44100;
        var bank = new MelFilterbank(64, n, rate, minHz: 100, maxHz: 8000);
        var binHz = (double)rate / n;

        // When integrating each filter over frequency, then each is 1: Slaney's area normalisation
        for (var b = 0; b < bank.Bands; b++)
        {
            var area = Enumerable.Range(0, bank.Bins).Sum(k => bank[b, k]) * binHz;
            Assert.InRange(area, 0.97, 1.03);
        }
        // And nothing lies outside [minHz, maxHz]
        Assert.All(Enumerable.Range(0, (int)(100 / binHz)), k => Assert.Equal(0, bank[0, k]));
    }

    [Fact]
    public void Should_make_a_tensor_of_bands_by_bins()
    {
        var bank = new MelFilterbank(128, 2048, 22050);
        using var weights = bank.ToTensor();
        Assert.Equal([128L, 1025L], weights.shape);
        Assert.Equal(bank[57, 100], weights[57, 100].item<float>(), 6);
    }
}

using MusicRnn.Experiments;
using MusicRnn.Models;

namespace MusicRnn.Tests.Experiments;

public sealed class BenchConfigTests
{
    [Fact]
    public void Should_list_the_grid_in_order_and_only_the_asked_cells_with_only()
    {
        // Given the quick preset's grid, and the same with two --only cells
        var grid = Presets.Quick;
        var only = grid with { Only = [GridCell.Parse("gru:2"), GridCell.Parse("RNN:1")] };

        // When their cells are listed
        var all = grid.Cells().Select(c => c.Name).ToList();
        var some = only.Cells().Select(c => c.Name).ToList();

        // Then the grid is architecture-major over depths 1–3, and --only gives exactly its cells
        Assert.Equal(["rnn-1", "rnn-2", "rnn-3", "lstm-1", "lstm-2", "lstm-3", "gru-1", "gru-2", "gru-3", "cwrnn-1", "cwrnn-2", "cwrnn-3"], all);
        Assert.Equal(["gru-2", "rnn-1"], some);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("lstm:0")]
    [InlineData("lstm:two")]
    [InlineData("mlp:1")]
    [InlineData("lstm:1:2")]
    public void Should_refuse_a_malformed_only_cell_naming_the_option(string text)
    {
        // Given a malformed --only value
        // When it is parsed
        var e = Assert.Throws<InputException>(() => GridCell.Parse(text));

        // Then the message names --only
        Assert.StartsWith("--only:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_size_every_architecture_to_the_reference_lstms_parameter_count_with_match_params()
    {
        // Given a grid matched on parameters (reference: an LSTM with 64 units) over 256 features
        var config = Presets.Quick with { Model = Presets.Quick.Model with { HiddenSize = 64 }, Match = SizeMatch.Params };
        long budget = config.ReferenceBudget(2, 256);

        // When each two-layer model is sized
        var counts = config.Archs.Select(a => ParameterBudget.CountFree(config.SpecFor(new GridCell(a, 2), 256))).ToList();

        // Then every count is within 5 % of the LSTM's (the CW-RNN's width moves in steps of its 8 modules),
        // and the widths differ (the vanilla RNN is widest)
        Assert.All(counts, c => Assert.InRange(c, budget * 0.95, budget * 1.05));
        Assert.True(config.SpecFor(new GridCell(Architecture.Rnn, 2), 256).HiddenSize > 64);
        Assert.Equal(64, config.SpecFor(new GridCell(Architecture.Lstm, 2), 256).HiddenSize);
    }

    [Fact]
    public void Should_give_every_model_the_same_width_with_match_hidden()
    {
        // Given the quick preset (match hidden, 128 units)
        var config = Presets.Quick;

        // When each model is sized
        var widths = config.Cells().Select(c => config.SpecFor(c, 512).HiddenSize).Distinct();

        // Then all have 128 units per layer
        Assert.Equal([128], widths);
    }

    [Theory]
    [InlineData("hidden", "--hidden:")]
    [InlineData("layers", "--layers:")]
    [InlineData("window", "--window:")]
    [InlineData("codec", "--codec:")]
    [InlineData("frame", "--frame:")]
    public void Should_name_the_option_of_a_setting_out_of_range(string field, string option)
    {
        // Given the quick preset with one field out of range
        var config = field switch
        {
            "hidden" => Presets.Quick with { Model = Presets.Quick.Model with { HiddenSize = 0 } },
            "layers" => Presets.Quick with { Layers = [1, 17] },
            "window" => Presets.Quick with { Training = Presets.Quick.Training with { Window = 0 } },
            "codec" => Presets.Quick with { Data = Presets.Quick.Data with { Codec = Presets.Quick.Data.Codec with { Name = "wavelet" } } },
            _ => Presets.Quick with { Data = Presets.Quick.Data with { Codec = Presets.Quick.Data.Codec with { FrameLength = 0 } } },
        };

        // When it is validated
        var e = Assert.Throws<InputException>(config.Validate);

        // Then the message names the option
        Assert.StartsWith(option, e.Message, StringComparison.Ordinal);
    }
}

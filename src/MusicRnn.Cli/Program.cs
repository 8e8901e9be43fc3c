using System.CommandLine;
using MusicRnn.Cli;

// The musicrnn command line: one command per file under Commands/, each mapping its
// options to the library's records. Exit codes: 0 success, 2 bad input or usage, 1 internal error.
var root = new RootCommand("MusicRnn: learn music audio with recurrent networks, compare architectures, generate audio.")
{
};
return CliRunner.Run(root, args);

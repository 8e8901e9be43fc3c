return MusicRnn.Cli.MusicRnnCli.Run(args);

using AvCloud.DockSync;

// avdock push DIR | watch DIR | status; `avdock --help` and `avdock COMMAND --help` say the rest.
return await Cli.RunAsync(args, Console.Out, Console.Error);

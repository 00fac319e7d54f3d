using OpenEngage.Server.Cli;

return await CommandLineVerbs.RunAsync(args, Console.Out, Console.Error);

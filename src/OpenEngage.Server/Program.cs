using OpenEngage.Server;
using OpenEngage.Server.Cli;

if (CommandLineVerbs.IsVerb(args))
{
    return await CommandLineVerbs.RunAsync(args, Console.Out, Console.Error);
}

var app = OpenEngageServer.Build(args);
await OpenEngageServer.StartAsync(app);
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

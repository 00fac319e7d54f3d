using OpenEngage.Server;

var app = OpenEngageServer.Build(args);
await OpenEngageServer.StartAsync(app);
await app.WaitForShutdownAsync();
await app.DisposeAsync();

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using OpenEngage.Server;

namespace OpenEngage.Bench;

/// <summary>
/// <c>OpenEngage.Bench ceiling-server &lt;server settings&gt;</c>: the server exactly as
/// <see cref="OpenEngageServer"/> composes it (store, middleware, telemetry, Kestrel limits) plus the
/// benchmark's <see cref="CeilingEndpoint"/>, so the ceiling is measured in the same kind of process
/// as <c>/engage</c>. <see cref="ServerProcess"/> starts it with the measured server's runtime
/// configuration (its garbage collector settings).
/// </summary>
internal static class CeilingServer
{
    public const string Verb = "ceiling-server";

    public static async Task<int> RunAsync(string[] settings)
    {
        await using var app = OpenEngageServer.Build(settings);
        app.MapCeiling();
        await OpenEngageServer.StartAsync(app);
        await app.WaitForShutdownAsync();
        return 0;
    }
}

namespace OpenEngage.Server.Cli;

/// <summary>The command without a verb: serves HTTP until stopped (Ctrl-C or SIGTERM).</summary>
internal static class ServeCommand
{
    /// <summary>Runs the server; a failure to start is one line on <paramref name="error"/> and exit code 1.</summary>
    public static async Task<int> RunAsync(string[] settings, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplication? app = null;
        try
        {
            app = OpenEngageServer.Build(settings);
            await OpenEngageServer.StartAsync(app, cancellationToken);
        }
        catch (Exception e)
        {
            await error.WriteLineAsync("OpenEngage could not start: " + StartupFailure.Describe(e));
            await DisposeQuietlyAsync(app);
            return 1;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    private static async Task DisposeQuietlyAsync(WebApplication? app)
    {
        if (app is null)
        {
            return;
        }

        try
        {
            await app.DisposeAsync();
        }
        catch (Exception)
        {
            // The start-up failure is what gets reported; a second failure while tidying up adds nothing.
        }
    }
}

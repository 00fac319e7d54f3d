namespace OpenEngage.Server.Cli;

/// <summary>
/// The generic host a verb runs in: the core services of the server (<see cref="OpenEngageCoreRegistration"/>),
/// never started, so no Kestrel, no routes, no background services. Disposed asynchronously, as the stores are.
/// </summary>
internal sealed class CommandHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public async ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable asynchronous)
        {
            await asynchronous.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Server;

namespace OpenEngage.Tests.Support;

/// <summary>
/// The core the in-process test servers share: an OpenEngage server on a real Kestrel socket on
/// 127.0.0.1:0, over a fresh data directory (or a given one, kept). Each test project adds its own
/// projects, settings and helpers on top (linked into each project).
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly bool _ownsDataDirectory;

    private InProcessServer(WebApplication app, string dataDirectory, bool ownsDataDirectory, Uri address)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        Address = address;
    }

    public WebApplication App { get; }
    public string DataDirectory { get; }
    public Uri Address { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>
    /// Builds and starts the server. Arguments, in order: the address, data directory and log level;
    /// <paramref name="settings"/>; the settings <paramref name="storageSettings"/> gives for the data
    /// directory (the storage the project's tests run on), if any; then <paramref name="overrides"/>.
    /// </summary>
    /// <param name="dataDirectory">An existing data directory to use and keep; null for a fresh one, deleted on dispose.</param>
    public static async Task<InProcessServer> StartAsync(
        string temporaryPrefix,
        string? dataDirectory,
        IEnumerable<string> settings,
        Func<string, Task<IReadOnlyList<string>>>? storageSettings = null,
        IEnumerable<string>? overrides = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory(temporaryPrefix).FullName;
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--Storage:Path={dataDirectory}", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings);
        if (storageSettings is not null)
        {
            args.AddRange((await storageSettings(dataDirectory)).Select(setting => "--" + setting));
        }

        args.AddRange(overrides ?? []);
        var app = OpenEngageServer.Build([.. args]);
        await OpenEngageServer.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessServer(app, dataDirectory, owns, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

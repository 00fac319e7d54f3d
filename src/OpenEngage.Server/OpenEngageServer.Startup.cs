using Microsoft.Extensions.Options;
using OpenEngage.Storage;

namespace OpenEngage.Server;

public static partial class OpenEngageServer
{
    /// <summary>
    /// Validates every option, takes the embedded store's data directory for this process when
    /// <paramref name="exclusive"/> (a server or an import: one writer per SQLite store), and
    /// opens the store.
    /// </summary>
    internal static async Task OpenStoreAsync(IServiceProvider services, bool exclusive, CancellationToken cancellationToken)
    {
        services.GetService<IStartupValidator>()?.Validate();
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (exclusive && storage.IsSqlite)
        {
            services.GetRequiredService<DataDirectoryLease>().Acquire(storage.Path);
        }

        await services.GetRequiredService<IProfileStore>().InitializeAsync(cancellationToken);
    }
}

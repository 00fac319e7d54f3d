using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server.Tests;

/// <summary>Each store binds its own settings from <c>Storage</c>; Kestrel's limits come from the ingestion limits; the product maps no benchmark endpoint.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("openengage-compose-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_embedded_store_binds_every_setting_of_the_storage_section_and_the_servers_data_directory()
    {
        await using var app = OpenEngageServer.Build([
            "--urls=http://127.0.0.1:0", $"--Storage:Path={_root}/data/../data",
            "--Storage:ProfileCacheSize=12", "--Storage:QueryParallelism=3", "--Storage:MaxUpdatesPerCommit=7"]);

        var options = app.Services.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;
        Assert.Equal(Path.Combine(_root, "data"), options.Path);
        Assert.Equal(12, options.ProfileCacheSize);
        Assert.Equal(3, options.QueryParallelism);
        Assert.Equal(7, options.MaxUpdatesPerCommit);
    }

    [Fact]
    public async Task The_postgres_store_binds_its_settings_and_the_embedded_store_is_not_registered()
    {
        await using var app = OpenEngageServer.Build([
            "--urls=http://127.0.0.1:0", $"--Storage:Path={_root}", "--Storage:Provider=postgres",
            "--Storage:ConnectionString=Host=127.0.0.1;Port=1", "--Storage:MaxUpdatesPerCommit=9", "--Storage:MaxRetries=4"]);

        var options = app.Services.GetRequiredService<IOptions<PostgresStoreOptions>>().Value;
        Assert.Equal("Host=127.0.0.1;Port=1", options.ConnectionString);
        Assert.Equal(9, options.MaxUpdatesPerCommit);
        Assert.Equal(4, options.MaxRetries);
        Assert.Empty(app.Services.GetServices<IConfigureOptions<SqliteStoreOptions>>());
    }

    [Theory]
    [InlineData("Storage:MaxUpdatesPerCommit=0", "Storage:MaxUpdatesPerCommit must be at least 1")]
    [InlineData("Storage:QueryParallelism=0", "Storage:QueryParallelism must be between 1 and 1024")]
    public async Task A_bad_store_setting_stops_the_start(string setting, string expected)
    {
        await using var app = OpenEngageServer.Build(["--urls=http://127.0.0.1:0", $"--Storage:Path={_root}", "--" + setting]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => OpenEngageServer.StartAsync(app));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_limits_follow_the_ingestion_limits()
    {
        await using var app = OpenEngageServer.Build(["--urls=http://127.0.0.1:0", $"--Storage:Path={_root}", "--Ingestion:MaxRecordBytes=1000"]);

        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.Equal((1000 * 3) + (64 * 1024), kestrel.Limits.MaxRequestLineSize);
        Assert.Equal(kestrel.Limits.MaxRequestLineSize + (64 * 1024), kestrel.Limits.MaxRequestHeadersTotalSize);
        Assert.Null(kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public async Task The_benchmark_ceiling_endpoint_is_not_part_of_the_product()
    {
        await using var server = await RunningServer.StartAsync("Benchmark:CeilingEndpoint=true");
        using var response = await server.Client.PostAsync("/bench/ceiling", new StringContent("[]"));
        Assert.Equal(404, (int)response.StatusCode);
    }
}

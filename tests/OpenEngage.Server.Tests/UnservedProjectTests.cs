using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Server.Tests;

/// <summary>Profiles kept under a project id that no configured project has are pointed out at start-up.</summary>
public sealed class UnservedProjectTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("openengage-unserved-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Configuring_a_project_over_the_trials_data_warns_and_says_how_to_keep_it()
    {
        string token;
        await using (var trial = await RunningServer.StartAsync(withProjects: false, _directory))
        {
            token = DefaultProject.LoadOrCreate(_directory, out _).Token;
            Assert.Equal("1", (await trial.PostJsonAsync($$$"""{"$token":"{{{token}}}","$distinct_id":"u1","$set":{"plan":"pro"}}""")).Body);
        }

        var (warnings, _) = await StartAsync("Projects:0:Name=web", $"Projects:0:Token={token}", "Projects:0:ApiSecret=s");
        var warning = Assert.Single(warnings, w => w.Contains("'default'", StringComparison.Ordinal));
        Assert.Contains("Projects:0:Id=default", warning, StringComparison.Ordinal);

        var (none, plan) = await StartAsync("Projects:0:Name=web", "Projects:0:Id=default", $"Projects:0:Token={token}", "Projects:0:ApiSecret=s");
        Assert.DoesNotContain(none, w => w.Contains("'default'", StringComparison.Ordinal));
        Assert.Equal("pro", plan);
    }

    /// <summary>Starts a server on the directory with <paramref name="settings"/>; returns its start-up warnings and u1's plan as the project reads it.</summary>
    private async Task<(List<string> Warnings, string? Plan)> StartAsync(params string[] settings)
    {
        var logs = new LogCollector();
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--Storage:Path={_directory}" };
        args.AddRange((await TestStorage.SettingsAsync(_directory)).Concat(settings).Select(setting => "--" + setting));
        var app = OpenEngageServer.Build([.. args], builder => builder.Logging.AddProvider(logs));
        await using (app)
        {
            await OpenEngageServer.StartAsync(app);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Authorization = RunningServer.Basic("s", "");
            var profile = await OpenEngage.Tests.Support.ServerProcess.ProfileAsync(client, "u1");
            await app.StopAsync();
            return ([.. logs.Messages.Where(m => m.Level == LogLevel.Warning).Select(m => m.Text)], (string?)profile?["plan"]);
        }
    }

    private sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(Messages);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<(LogLevel, string)> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}

using System.Reflection;
using Microsoft.Extensions.Logging;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The storage assemblies' log messages: every event id is unique and lies in its assembly's range
/// (SQLite 1100–1199, PostgreSQL 1200–1299), so a log query by event id finds one message.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryStorageLogMessageHasItsOwnEventIdInItsAssemblysRange()
    {
        var ranges = new (Assembly Assembly, int First, int Last)[]
        {
            (typeof(SqliteProfileStore).Assembly, 1100, 1199),
            (typeof(PostgresProfileStore).Assembly, 1200, 1299),
        };

        var seen = new Dictionary<int, string>();
        foreach (var (assembly, first, last) in ranges)
        {
            var messages = LogMessages(assembly);
            Assert.NotEmpty(messages);
            foreach (var (name, id) in messages)
            {
                Assert.InRange(id, first, last);
                Assert.True(seen.TryAdd(id, name), $"Event id {id} of {name} is also used by {seen.GetValueOrDefault(id)}.");
            }
        }
    }

    private static List<(string Name, int EventId)> LogMessages(Assembly assembly) =>
    [
        .. from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select ($"{type.FullName}.{method.Name}", attribute.EventId),
    ];
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> into a temporary directory (as the
/// <c>postgres</c> user when the tests run as root), listening on loopback and a socket in that
/// directory only. One cluster per test process; it is stopped and deleted when the process exits.
/// </summary>
public sealed class PostgresCluster
{
    private const string Prefix = "openengage-pg-";
    private const string OwnerFile = "owner.pid";
    private static readonly Lazy<Task<PostgresCluster>> SharedCluster = new(StartAsync);
    private static int _databases;

    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asPostgres;

    private PostgresCluster(string bin, string root, bool asPostgres, int port)
    {
        _bin = bin;
        _root = root;
        _asPostgres = asPostgres;
        Port = port;
    }

    /// <summary>How often start-up picks another port when the one found free was taken before PostgreSQL bound it.</summary>
    private const int PortAttempts = 5;

    public int Port { get; private set; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>The cluster of this test process, started on first use.</summary>
    public static Task<PostgresCluster> SharedAsync() => SharedCluster.Value;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = true,
        MaxPoolSize = 20,
    }.ToString();

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinaries();
        RemoveStaleClusters(bin);

        var asPostgres = Environment.UserName == "root";
        var root = Directory.CreateTempSubdirectory(Prefix).FullName;
        File.WriteAllText(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (asPostgres)
        {
            Run("chown", ["postgres:postgres", root], asPostgres: false);
        }

        var cluster = new PostgresCluster(bin, root, asPostgres, 0);
        try
        {
            cluster.Run("initdb", ["-D", cluster.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);

            // PostgreSQL cannot bind port 0 and report the port it got, so a free port is picked
            // first; when another process takes it before PostgreSQL binds it, start-up fails with
            // "Address already in use" and is tried again on another port.
            var log = Path.Combine(root, "server.log");
            for (var attempt = 1; ; attempt++)
            {
                cluster.Port = FreePort();
                var logged = File.Exists(log) ? new FileInfo(log).Length : 0;
                try
                {
                    cluster.Run("pg_ctl", [
                        "-D", cluster.DataDirectory, "-l", log, "-w", "-t", "60",
                        "-o", $"-k {root} -c listen_addresses=127.0.0.1 -p {cluster.Port} -c fsync=on -c synchronous_commit=on -c max_connections=300",
                        "start",
                    ]);
                    break;
                }
                catch (InvalidOperationException) when (attempt < PortAttempts && PortWasTaken(log, logged))
                {
                }
            }
        }
        catch
        {
            cluster.Stop();
            throw;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        await Task.CompletedTask;
        return cluster;
    }

    /// <summary>Stops the server (if running) and deletes the cluster.</summary>
    /// <remarks>
    /// The test host may be ended soon after its exit handlers start, so a detached process that
    /// outlives it does the work.
    /// </remarks>
    private void Stop()
    {
        var pgCtl = Path.Combine(_bin, "pg_ctl");
        var stop = $"{(_asPostgres ? "runuser -u postgres -- " : "")}'{pgCtl}' -D '{DataDirectory}' -m immediate -w stop >/dev/null 2>&1";
        var script = $"if [ -e '{DataDirectory}/postmaster.pid' ]; then {stop}; fi; rm -rf '{_root}'";
        try
        {
            using var cleaner = Process.Start(new ProcessStartInfo("setsid") { ArgumentList = { "-f", "sh", "-c", script }, UseShellExecute = false });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            using var cleaner = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", script }, UseShellExecute = false });
            cleaner?.WaitForExit();
        }
    }

    /// <summary>Stops and deletes clusters whose test process died without cleaning up.</summary>
    private static void RemoveStaleClusters(string bin)
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            var orphaned = File.Exists(owner)
                ? int.TryParse(File.ReadAllText(owner), out var pid) && !Directory.Exists($"/proc/{pid}")
                : Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddMinutes(-10);
            if (orphaned)
            {
                new PostgresCluster(bin, directory, Environment.UserName == "root", 0).Stop();
            }
        }
    }

    private void Run(string tool, string[] arguments) => Run(Path.Combine(_bin, tool), arguments, _asPostgres);

    private static void Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output.Result}\n{error.Result}");
        }
    }

    /// <summary>The directory of <c>initdb</c>/<c>pg_ctl</c>: on PATH, else Debian's newest /usr/lib/postgresql/*/bin.</summary>
    private static string FindBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        const string Debian = "/usr/lib/postgresql";
        var found = Directory.Exists(Debian)
            ? Directory.GetDirectories(Debian)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var v) ? v : 0, Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin); run scripts/deps/10-postgresql.sh.");
    }

    /// <summary>Whether the server log written since <paramref name="offset"/> says the port was in use.</summary>
    private static bool PortWasTaken(string log, long offset)
    {
        if (!File.Exists(log))
        {
            return false;
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd().Contains("Address already in use", StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

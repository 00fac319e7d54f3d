using System.Globalization;
using OpenEngage.BenchGate;

namespace OpenEngage.Bench;

/// <summary>The command line of the load generator.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: OpenEngage.Bench --server <path to OpenEngage.Server.dll> [options]

          --server <dll>             a Release build of the server (required)
          --seconds <n>              measured seconds per scenario and endpoint (default 20)
          --warmup <n>               unmeasured seconds before each measurement (default 3)
          --scenarios <list>         any of a,b,c (default a,b,c)
                                       a: 2000-record batches of $set/$add/$union, Zipf-skewed ids
                                       b: single-record requests
                                       c: as a, gzip bodies
          --endpoints <list>         any of engage,ceiling,postgres (default engage,ceiling, and
                                       postgres with --postgres)
                                       postgres: /engage on the PostgreSQL store, a fresh database each run
          --postgres <conn>          an Npgsql connection string of a PostgreSQL server (its database
                                       is used to create and drop the fresh databases)
          --batch-connections <n>    concurrent connections in a and c (default 4)
          --single-connections <n>   concurrent connections in b (default 64)
          --batch-size <n>           records per batch in a and c (default 2000)
          --ids <n>                  distinct ids to draw from (default 1000000)
          --zipf <s>                 Zipf exponent of the id skew (default 1.0)
          --batch-pool <n>           pre-generated batch bodies, used in turn (default 64)
          --single-pool <n>          pre-generated single-record bodies (default 100000)
          --seed <n>                 random seed (default 42)
          --server-env <NAME=VALUE>  an environment variable for the server, e.g. DOTNET_gcServer=0 (repeatable)
          --output <file>            also write the Markdown report to this file
          --profiles <n>             instead of the scenarios: the memory run, creating n distinct
                                       profiles on /engage in batches of fresh ids (--batch-size,
                                       --batch-connections) and sampling the server's RSS every second
          --memory-seconds <n>       time limit of the memory run (default 540)
          --baseline <file>          the regression gate: compare each scenario's /engage records/s
                                       as a ratio to the ceiling in the same run with the ratios in
                                       <file> (bench/baseline.json); exit code 3 on a regression
          --tolerance <fraction>     how far a ratio may fall below the baseline's (default 0.25)
          --write-baseline           write this run's ratios to the --baseline file instead of comparing
        """;

    public string Server { get; private set; } = "";

    public int Seconds { get; private set; } = 20;

    public int Warmup { get; private set; } = 3;

    public IReadOnlyList<string> Scenarios { get; private set; } = ["a", "b", "c"];

    public IReadOnlyList<string> Endpoints { get; private set; } = ["engage", "ceiling"];

    /// <summary>The PostgreSQL server of the <c>postgres</c> endpoint; null: not measured.</summary>
    public string? Postgres { get; private set; }

    private bool _endpointsGiven;

    public int BatchConnections { get; private set; } = 4;

    public int SingleConnections { get; private set; } = 64;

    public int BatchSize { get; private set; } = 2000;

    public int Ids { get; private set; } = 1_000_000;

    public double Zipf { get; private set; } = 1.0;

    public int BatchPool { get; private set; } = 64;

    public int SinglePool { get; private set; } = 100_000;

    public int Seed { get; private set; } = 42;

    public string? Output { get; private set; }

    /// <summary>When positive, the memory run with this many profiles replaces the scenarios.</summary>
    public int Profiles { get; private set; }

    public int MemorySeconds { get; private set; } = 540;

    /// <summary>The regression gate's baseline file; null: no gate.</summary>
    public string? Baseline { get; private set; }

    public double Tolerance { get; private set; } = RegressionGate.DefaultTolerance;

    /// <summary>Write the run's ratios to <see cref="Baseline"/> instead of comparing with it.</summary>
    public bool WriteBaseline { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment => _serverEnvironment;

    private readonly List<KeyValuePair<string, string>> _serverEnvironment = [];

    public IReadOnlyList<string> Arguments { get; private set; } = [];

    /// <summary>Parses the arguments; returns null and writes why when they are not usable.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var options = new BenchOptions { Arguments = args };
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                if (name is "-h" or "--help")
                {
                    error.WriteLine(Usage);
                    return null;
                }

                if (name == "--write-baseline")
                {
                    options.WriteBaseline = true;
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"{name} needs a value");
                }

                var value = args[++i];
                switch (name)
                {
                    case "--server": options.Server = value; break;
                    case "--seconds": options.Seconds = Positive(name, value); break;
                    case "--warmup": options.Warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--scenarios": options.Scenarios = List(name, value, ["a", "b", "c"]); break;
                    case "--endpoints": options.Endpoints = List(name, value, ["engage", "ceiling", "postgres"]); options._endpointsGiven = true; break;
                    case "--postgres": options.Postgres = value; break;
                    case "--batch-connections": options.BatchConnections = Positive(name, value); break;
                    case "--single-connections": options.SingleConnections = Positive(name, value); break;
                    case "--batch-size": options.BatchSize = Positive(name, value); break;
                    case "--ids": options.Ids = Positive(name, value); break;
                    case "--zipf": options.Zipf = double.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--batch-pool": options.BatchPool = Positive(name, value); break;
                    case "--single-pool": options.SinglePool = Positive(name, value); break;
                    case "--seed": options.Seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--output": options.Output = value; break;
                    case "--profiles": options.Profiles = Positive(name, value); break;
                    case "--memory-seconds": options.MemorySeconds = Positive(name, value); break;
                    case "--baseline": options.Baseline = value; break;
                    case "--tolerance": options.Tolerance = Fraction(name, value); break;
                    case "--server-env":
                        var equals = value.IndexOf('=', StringComparison.Ordinal);
                        if (equals <= 0)
                        {
                            throw new FormatException($"{name} needs NAME=VALUE, not '{value}'");
                        }

                        options._serverEnvironment.Add(new(value[..equals], value[(equals + 1)..]));
                        break;
                    default: throw new FormatException($"unknown option {name}");
                }
            }

            if (options.Server.Length == 0)
            {
                throw new FormatException("--server is required: build the server with 'dotnet build src/OpenEngage.Server -c Release' and pass the path of OpenEngage.Server.dll");
            }

            if (!File.Exists(options.Server))
            {
                throw new FormatException($"--server: no file {options.Server}");
            }

            if (options.Postgres is not null && !options._endpointsGiven)
            {
                options.Endpoints = ["engage", "ceiling", "postgres"];
            }

            if (options.Endpoints.Contains("postgres") && options.Postgres is null)
            {
                throw new FormatException("the postgres endpoint needs --postgres <connection string>");
            }

            if (options.WriteBaseline && options.Baseline is null)
            {
                throw new FormatException("--write-baseline needs --baseline <file>: the file to write");
            }

            if (options.Baseline is { } baseline && !options.WriteBaseline && !File.Exists(baseline))
            {
                throw new FormatException($"--baseline: no file {baseline} (write one with --write-baseline)");
            }

            if (options.Baseline is not null && !options.Endpoints.Contains("ceiling"))
            {
                throw new FormatException("--baseline compares ratios to the ceiling: --endpoints must include ceiling");
            }
        }
        catch (FormatException exception)
        {
            error.WriteLine($"error: {exception.Message}");
            error.WriteLine(Usage);
            return null;
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new FormatException($"{name} needs a positive whole number, not '{value}'");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0 && number < 1
            ? number
            : throw new FormatException($"{name} needs a fraction from 0 up to (not including) 1, such as 0.25, not '{value}'");

    private static string[] List(string name, string value, string[] allowed)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var item in items)
        {
            if (!allowed.Contains(item))
            {
                throw new FormatException($"{name}: '{item}' is not one of {string.Join(", ", allowed)}");
            }
        }

        return items.Length > 0 ? items : throw new FormatException($"{name} needs at least one of {string.Join(", ", allowed)}");
    }
}

using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/OpenEngage.MicroBench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(OpenEngage.MicroBench.HotPathBenchmarks).Assembly).Run(args);

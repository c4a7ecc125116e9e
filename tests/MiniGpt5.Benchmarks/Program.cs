using BenchmarkDotNet.Running;

// Every benchmark class marks its anchor with Baseline = true, so the summary's Ratio column reads
// "ours / anchor" for time (lower is better) from one run.
BenchmarkSwitcher.FromAssembly(typeof(MiniGpt5.Benchmarks.MatmulBenchmarks).Assembly).Run(args);

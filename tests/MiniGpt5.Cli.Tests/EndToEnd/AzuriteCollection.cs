using MiniGpt5.Testing;

namespace MiniGpt5.Cli.Tests.EndToEnd;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

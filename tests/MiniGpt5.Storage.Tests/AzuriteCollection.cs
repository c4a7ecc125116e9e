namespace MiniGpt5.Storage.Tests;

/// <summary>All Azurite-backed test classes share one emulator process.</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

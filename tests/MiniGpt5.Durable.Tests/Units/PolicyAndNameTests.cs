using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Tests.Units;

public sealed class PolicyAndNameTests
{
    [Fact]
    public void Retry_delays_grow_by_the_coefficient_up_to_the_cap()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1)) { BackoffCoefficient = 2, MaxRetryInterval = TimeSpan.FromSeconds(5) };
        Assert.Equal(
            [1, 2, 4, 5, 5],
            Enumerable.Range(1, 5).Select(n => policy.GetDelay(n).TotalSeconds));
    }

    [Fact]
    public void Retry_stops_at_max_attempts_timeout_or_predicate()
    {
        var failure = new FailureDetails("System.TimeoutException", "slow");
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(10)) { RetryTimeout = TimeSpan.FromSeconds(25) };
        Assert.True(policy.ShouldRetry(1, failure, TimeSpan.Zero));
        Assert.False(policy.ShouldRetry(2, failure, TimeSpan.FromSeconds(20))); // 20 + 10 > 25
        Assert.False(policy.ShouldRetry(3, failure, TimeSpan.Zero));
        var picky = new RetryPolicy(3, TimeSpan.FromSeconds(1)) { Handle = f => f.IsCausedBy<TimeoutException>() };
        Assert.True(picky.ShouldRetry(1, failure, TimeSpan.Zero));
        Assert.False(picky.ShouldRetry(1, new FailureDetails("System.ArgumentException", "bad"), TimeSpan.Zero));
    }

    [Fact]
    public void Retry_policy_rejects_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(0, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.FromSeconds(1)) { BackoffCoefficient = 0.5 });
    }

    [Fact]
    public void Is_caused_by_follows_the_exception_hierarchy()
    {
        var failure = FailureDetails.FromException(new ArgumentNullException("x"));
        Assert.True(failure.IsCausedBy<ArgumentException>());
        Assert.True(failure.IsCausedBy<ArgumentNullException>());
        Assert.False(failure.IsCausedBy<InvalidOperationException>());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Hub")]
    [InlineData("1hub")]
    [InlineData("hub--x")]
    [InlineData("hub-")]
    [InlineData("a-very-long-hub-name-beyond-thirty")]
    public void Bad_hub_names_are_refused_with_the_name(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => TaskHubNames.ValidateHubName(name));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    [InlineData("")]
    [InlineData(" padded")]
    [InlineData("..")]
    public void Bad_instance_ids_are_refused(string id) => Assert.Throws<ArgumentException>(() => TaskHubNames.ValidateInstanceId(id));

    [Fact]
    public void Good_names_pass()
    {
        Assert.Equal("minigpt5", TaskHubNames.ValidateHubName("minigpt5"));
        Assert.Equal("gpu", TaskHubNames.ValidateTaskQueue("gpu"));
        Assert.Equal("manuscript 17: ch.3 – café", TaskHubNames.ValidateInstanceId("manuscript 17: ch.3 – café"));
    }

    [Fact]
    public void Options_are_validated_with_the_setting_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DurableTaskHubOptions { PartitionLeaseDuration = TimeSpan.FromSeconds(5) }.Validate());
        Assert.Contains("PartitionLeaseDuration", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DurableTaskHubOptions { PartitionCount = 0 }.Validate());
    }

    [Fact]
    public void Registry_refuses_duplicates_and_classes_without_a_contract()
    {
        var registry = new DurableTaskRegistry();
        registry.AddActivity<int, int>("A", (_, i) => Task.FromResult(i));
        Assert.Throws<ArgumentException>(() => registry.AddActivity<int, int>("a", (_, i) => Task.FromResult(i)));
        var error = Assert.Throws<ArgumentException>(() => registry.AddActivity<PolicyAndNameTests>());
        Assert.Contains("IActivity<TInput, TOutput>", error.Message, StringComparison.Ordinal);
    }
}

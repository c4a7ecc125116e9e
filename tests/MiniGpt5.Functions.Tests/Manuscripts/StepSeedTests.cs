using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class StepSeedTests
{
    // From Python: int.from_bytes(hashlib.sha256(f"minigpt5/step-seed/v1\n{basis}\n{step}".encode()).digest()[:4], "little")
    [Theory]
    [InlineData("manuscript:the-red-circle-0123456789abcdef", 1, 2878226016u)]
    [InlineData("manuscript:the-red-circle-0123456789abcdef", 2, 3258964596u)]
    [InlineData("manuscript:the-red-circle-0123456789abcdef", 3, 2554769241u)]
    [InlineData("manuscript:the-red-circle-0123456789abcdef", 999, 856078714u)]
    [InlineData("seed:42", 1, 3522650064u)]
    [InlineData("seed:42", 2, 1016837018u)]
    [InlineData("seed:42", 999, 1714187161u)]
    public void Matches_the_documented_sha256_derivation(string basis, int step, uint expected) =>
        Assert.Equal(expected, StepSeed.Derive(basis, step));

    [Fact]
    public void Basis_is_the_fixed_seed_when_given()
    {
        Assert.Equal("seed:42", StepSeed.Basis("x-0123456789abcdef", 42));
        Assert.Equal("manuscript:x-0123456789abcdef", StepSeed.Basis("x-0123456789abcdef", null));
    }

    [Fact]
    public void Steps_zero_and_below_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StepSeed.Derive("seed:1", 0));
}

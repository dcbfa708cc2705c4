namespace Citadel.Crypto.Tests;

public sealed class ShamirTests
{
    [Fact]
    public void Every_subset_of_threshold_size_recovers_the_secret()
    {
        var secret = SystemRandom.Instance.GetBytes(32);
        var shares = Shamir.Split(secret, shares: 5, threshold: 3);
        Assert.Equal(5, shares.Length);
        Assert.All(shares, s => Assert.Equal(33, s.Length));

        var subsets = Subsets(5, 3).ToList();
        Assert.Equal(10, subsets.Count);
        foreach (var subset in subsets)
        {
            var picked = subset.Select(i => shares[i]).ToList();
            Assert.Equal(secret, Shamir.Combine(picked));
            picked.Reverse();
            Assert.Equal(secret, Shamir.Combine(picked));
        }
    }

    [Fact]
    public void More_than_threshold_shares_also_recover_the_secret()
    {
        var secret = SystemRandom.Instance.GetBytes(32);
        var shares = Shamir.Split(secret, shares: 5, threshold: 3);
        foreach (var subset in Subsets(5, 4)) Assert.Equal(secret, Shamir.Combine([.. subset.Select(i => shares[i])]));
        Assert.Equal(secret, Shamir.Combine(shares));
    }

    [Fact]
    public void Fewer_than_threshold_shares_give_a_wrong_secret()
    {
        var secret = SystemRandom.Instance.GetBytes(32);
        var shares = Shamir.Split(secret, shares: 5, threshold: 3);
        foreach (var subset in Subsets(5, 2))
            Assert.NotEqual(secret, Shamir.Combine([.. subset.Select(i => shares[i])]));
    }

    [Fact]
    public void Duplicate_shares_are_rejected()
    {
        var shares = Shamir.Split(SystemRandom.Instance.GetBytes(32), shares: 5, threshold: 3);
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[0], shares[1]]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[2], (byte[])shares[2].Clone(), shares[3]]));
    }

    [Fact]
    public void Malformed_shares_are_rejected()
    {
        var shares = Shamir.Split(SystemRandom.Instance.GetBytes(32), shares: 5, threshold: 3);
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0]]));
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[1][..^1]]));
        var zeroX = (byte[])shares[1].Clone();
        zeroX[^1] = 0;
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], zeroX]));
    }

    [Fact]
    public void Split_validates_its_arguments()
    {
        var secret = new byte[32];
        Assert.Throws<ArgumentException>(() => Shamir.Split([], 5, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(secret, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(secret, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(secret, 256, 3));
    }

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (int.PopCount(mask) == k) yield return [.. Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0)];
        }
    }
}

namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>
/// Runs the cases of one vector file and collects every failure, so that a file ends in a single
/// assertion listing the tcIds that failed. An exception thrown by the code under test counts as a rejection.
/// </summary>
public sealed class VectorTally(string name)
{
    private readonly List<string> _failures = [];

    public int Run { get; private set; }

    public int Skipped { get; private set; }

    public string Summary => $"{name}: {Run} run, {Skipped} skipped, {_failures.Count} failures";

    public void Skip() => Skipped++;

    /// <summary>Runs a case; <paramref name="accepts"/> returns whether the implementation accepted it.</summary>
    public void Check(WycheproofCase test, Func<bool> accepts)
    {
        Run++;
        bool accepted;
        var detail = "";
        try
        {
            accepted = accepts();
        }
        catch (Exception e)
        {
            accepted = false;
            detail = $" ({e.GetType().Name}: {e.Message})";
        }
        if (test.Result == WycheproofResult.Valid && !accepted) Fail(test, "valid case rejected" + detail);
        else if (test.Result == WycheproofResult.Invalid && accepted) Fail(test, "invalid case accepted");
    }

    /// <summary>Records a failure found outside <see cref="Check"/>.</summary>
    public void Fail(WycheproofCase test, string reason) => _failures.Add($"{test}: {reason}");

    public void AssertAllPassed(int minimumRun)
    {
        Assert.True(_failures.Count == 0, $"{Summary}:{Environment.NewLine}{string.Join(Environment.NewLine, _failures)}");
        Assert.True(Run >= minimumRun, $"{Summary}; expected at least {minimumRun} cases to run.");
    }
}

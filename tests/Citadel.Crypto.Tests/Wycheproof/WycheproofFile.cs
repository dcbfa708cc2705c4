using System.Text.Json;

namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>Loads a Wycheproof vector file copied to <c>vectors/wycheproof/</c> in the test output.</summary>
public static class WycheproofFile
{
    public static IReadOnlyList<WycheproofCase> Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "wycheproof", fileName);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var cases = new List<WycheproofCase>();
        foreach (var group in root.GetProperty("testGroups").EnumerateArray())
        {
            var groupCopy = group.Clone();
            foreach (var test in group.GetProperty("tests").EnumerateArray())
                cases.Add(new WycheproofCase(groupCopy, test.Clone()));
        }
        var declared = root.GetProperty("numberOfTests").GetInt32();
        if (cases.Count != declared)
            throw new InvalidDataException($"{fileName}: numberOfTests is {declared} but {cases.Count} cases were read.");
        return cases;
    }
}

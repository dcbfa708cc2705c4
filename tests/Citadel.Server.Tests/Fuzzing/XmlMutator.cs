using System.Text;
using System.Xml.Linq;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Breaks an S3 XML request body: a leaf's text replaced by a hostile fragment (character references XML forbids,
/// raw control bytes, bytes that are not UTF-8, markup, numbers out of range), the document cut, its root renamed,
/// DTDs and entities (internal, external, exponential), deep nesting, other encodings, more than 1 MiB.
/// </summary>
internal static class XmlMutator
{
    private const string Mark = "__fuzz_xml__";

    public static byte[] Mutate(XElement? document, string rootName, Random random, List<string> mutations)
    {
        document ??= new XElement(S3Binding.Ns + rootName);
        var valid = S3Binding.Serialize(document);
        var choice = random.Next(20);
        if (choice < 8) return ReplaceLeaf(document, random, mutations);
        mutations.Add("xml #" + choice);
        var text = Encoding.UTF8.GetString(valid);
        return choice switch
        {
            8 => valid[..random.Next(Math.Max(1, valid.Length))],
            9 => Encoding.UTF8.GetBytes(text.Replace(rootName, "Wrong", StringComparison.Ordinal)),
            10 => Encoding.UTF8.GetBytes($"<!DOCTYPE {rootName} [<!ENTITY e \"x\">]>" + text.Replace("</" + rootName, "&e;</" + rootName, StringComparison.Ordinal)),
            11 => Encoding.UTF8.GetBytes($"<!DOCTYPE {rootName} [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><{rootName}>&x;</{rootName}>"),
            12 => Encoding.UTF8.GetBytes("<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>" + $"<{rootName}>&c;&c;&c;</{rootName}>"),
            13 => Encoding.UTF8.GetBytes($"<{rootName} xmlns=\"{S3Binding.Ns.NamespaceName}\">" + string.Concat(Enumerable.Repeat("<a>", 5000)) + string.Concat(Enumerable.Repeat("</a>", 5000)) + $"</{rootName}>"),
            14 => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray(),
            15 => Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"" + Nasty.Pick(random, new[] { "ebcdic", "utf-32", "x", "utf-16" }) + "\"?>" + text),
            16 => Encoding.UTF8.GetBytes(text.Insert(text.IndexOf('>', StringComparison.Ordinal) + 1, "<x:y/><!-- c --><![CDATA[]]>")),
            17 => Encoding.UTF8.GetBytes(text.Insert(text.IndexOf('>', StringComparison.Ordinal) + 1, new string(' ', 1 << 20))),
            18 => Nasty.Pick(random, new[] { ""u8.ToArray(), " "u8.ToArray(), "<"u8.ToArray(), "<?xml version=\"1.0\"?>"u8.ToArray(), "{}"u8.ToArray() }),
            _ => JsonMutator.CorruptBytes(valid, random, mutations),
        };
    }

    private static byte[] ReplaceLeaf(XElement document, Random random, List<string> mutations)
    {
        var leaves = document.DescendantsAndSelf().Where(e => !e.HasElements).ToList();
        var leaf = Nasty.Pick(random, leaves);
        var fragment = random.Next(8) switch
        {
            0 => Encoding.UTF8.GetBytes(Nasty.Pick(random, new[] { "&#0;", "&#x1;", "&#xD800;", "&#xFFFE;", "&#x1F;", "&#99999999;", "&undefined;", "&amp", "&#x;" })),
            1 => [.. Nasty.Pick(random, Nasty.InvalidUtf8)],
            2 => [(byte)'a', (byte)random.Next(0, 0x20), (byte)'b'],
            3 => Encoding.UTF8.GetBytes(Nasty.Pick(random, Nasty.Numbers)),
            4 => Encoding.UTF8.GetBytes(Nasty.Pick(random, new[] { "<a>", "]]>", "<![CDATA[x]]>", "</x>", "<?pi x?>", "" })),
            5 => Encoding.UTF8.GetBytes(System.Security.SecurityElement.Escape(Nasty.Long(random))),
            6 => Encoding.UTF8.GetBytes(Nasty.Pick(random, new[] { "yes", "TRUE", "Enabled ", "aws:kms:x", "AES256\n", "" })),
            _ => Encoding.UTF8.GetBytes(System.Security.SecurityElement.Escape(Nasty.Pick(random, Nasty.Strings)) ?? ""),
        };
        mutations.Add($"<{leaf.Name.LocalName}> = {FuzzRequest.Escape(fragment, 40)}");
        leaf.RemoveNodes();
        leaf.Value = Mark;
        var text = S3Binding.Serialize(document);
        var at = text.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Mark));
        return [.. text.AsSpan(0, at), .. fragment, .. text.AsSpan(at + Mark.Length)];
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Citadel.S3Bench;

/// <summary>The reference for the GET target: <c>openssl speed -evp aes-256-gcm -seconds 3</c>, one core, 16384-byte blocks.</summary>
internal static class OpensslSpeed
{
    public const string Command = "openssl speed -evp aes-256-gcm -seconds 3";

    /// <summary>MiB/s of AES-256-GCM on 16 KiB blocks (Cobblestone's chunk size), or null when openssl is missing.</summary>
    public static async Task<double?> MeasureAsync()
    {
        var start = new ProcessStartInfo("openssl") { ArgumentList = { "speed", "-evp", "aes-256-gcm", "-seconds", "3" }, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception) { return null; }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await errors;
            await process.WaitForExitAsync();
            return Parse(output);
        }
    }

    /// <summary>
    /// Reads the 16384-byte column of the summary table ("type 16 bytes ... 16384 bytes" over
    /// "AES-256-GCM ... 3722564.95k"; the numbers are thousands of bytes per second).
    /// </summary>
    public static double? Parse(string output)
    {
        var lines = output.Split('\n');
        var header = Array.FindLastIndex(lines, l => l.StartsWith("type", StringComparison.Ordinal) && l.Contains("16384 bytes", StringComparison.Ordinal));
        if (header < 0 || header + 1 >= lines.Length) return null;
        var columns = lines[header]["type".Length..].Split("bytes", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var column = columns.IndexOf("16384");
        var values = lines[header + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // The algorithm name comes first; the values are the last columns.
        var value = values[values.Length - columns.Count + column].TrimEnd('k');
        return double.Parse(value, CultureInfo.InvariantCulture) * 1000 / (1 << 20);
    }
}

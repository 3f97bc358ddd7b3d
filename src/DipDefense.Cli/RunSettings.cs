using System.Text.Json;
using System.Text.Json.Nodes;

namespace DipDefense.Cli;

/// <summary>The settings of an evaluation run as canonical JSON, and their hash (what a store holds one of).</summary>
/// <param name="Json">The settings, serialised once (property order fixed by the code that builds them).</param>
/// <param name="Hash">The first 16 hex digits of the SHA-256 of <paramref name="Json"/>.</param>
internal sealed record RunSettings(string Json, string Hash)
{
    /// <summary>How settings are written: snake_case names.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Serialises <paramref name="settings"/> and hashes it.</summary>
    public static RunSettings From(object settings)
    {
        string json = JsonSerializer.Serialize(settings, JsonOptions);
        return new RunSettings(json, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..16]);
    }

    /// <summary>The names of the top-level settings that differ between two settings records (all of them if either is not an object).</summary>
    public static IReadOnlyList<string> Differences(string a, string b)
    {
        if (JsonNode.Parse(a) is not JsonObject x || JsonNode.Parse(b) is not JsonObject y)
            return ["all settings"];
        return x.Select(p => p.Key).Union(y.Select(p => p.Key))
            .Where(key => !JsonNode.DeepEquals(x[key], y[key])).ToArray();
    }
}

using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Durable.Replay;

/// <summary>
/// Name-based UUIDs (RFC 4122 version 5, SHA-1). Orchestrations use the Durable Functions namespace and name
/// <c>{instanceId}_{CurrentUtcDateTime:o}_{counter}</c>, so the same replay yields the same GUIDs.
/// </summary>
internal static class DeterministicGuid
{
    /// <summary>The namespace Durable Functions uses for <c>NewGuid</c>.</summary>
    public static readonly Guid DurableNamespace = new("9e952958-5e33-4daf-827f-2fa12937b875");

    public static Guid Create(Guid namespaceId, string name)
    {
        Span<byte> ns = stackalloc byte[16];
        if (!namespaceId.TryWriteBytes(ns, bigEndian: true, out _))
        {
            throw new InvalidOperationException("Could not write the namespace GUID.");
        }

        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        ns.CopyTo(input);
        nameBytes.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 4122 version 5 is defined over SHA-1; this is an identifier, not a security hash.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350

        Span<byte> uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50); // version 5
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(uuid, bigEndian: true);
    }
}

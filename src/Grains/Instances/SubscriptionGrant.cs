namespace Broker.Grains.Instances;

/// <summary>
/// What the subscription trie keeps per (filter, connection): the granted QoS and the leading-'/' flag in one
/// byte, QoS in the high bits. The trie keeps the largest value among a connection's matching filters, so the
/// highest QoS wins, and between equal QoS the filter written with a leading '/'.
/// </summary>
internal static class SubscriptionGrant
{
    public static byte Encode(byte qos, bool rootSlash) => (byte)((qos << 1) | (rootSlash ? 1 : 0));

    public static byte Qos(byte grant) => (byte)(grant >> 1);

    public static bool RootSlash(byte grant) => (grant & 1) != 0;
}

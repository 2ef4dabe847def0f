using System.Buffers;
using System.Text;

namespace Broker.Protocol.Tests;

/// <summary>Helpers that build raw packet bytes by hand, without the codec under test.</summary>
internal static class Wire
{
    public const int MaxPacketSize = 1024 * 1024 * 16;

    public static byte[] Serialize(MqttPacket packet)
    {
        var output = new ArrayBufferWriter<byte>();
        packet.Write(output);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A fixed header with a hand-encoded remaining length, followed by the body parts.</summary>
    public static byte[] Frame(byte firstByte, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        var bytes = new List<byte> { firstByte };
        bytes.AddRange(RemainingLength(body.Length));
        bytes.AddRange(body);
        return [.. bytes];
    }

    public static byte[] RemainingLength(int value)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            bytes.Add(value > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (value > 0);
        return [.. bytes];
    }

    /// <summary>A length-prefixed string from raw bytes, so tests can send invalid UTF-8.</summary>
    public static byte[] Str(params byte[] utf8) => [(byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8];

    public static byte[] Str(string value) => Str(Encoding.UTF8.GetBytes(value));

    public static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

    public static byte[] B(params byte[] bytes) => bytes;

    public static MqttPacket ReadSingle(byte[] bytes, int maxPacketSize = MaxPacketSize)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(PacketReader.TryRead(ref buffer, maxPacketSize, out var packet));
        Assert.True(buffer.IsEmpty);
        return packet;
    }
}

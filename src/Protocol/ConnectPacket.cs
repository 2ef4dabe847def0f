using System.Buffers;

namespace Broker.Protocol;

/// <summary>
/// CONNECT, the first packet of a client. Reading accepts MQTT 3.1.1 ("MQTT", level 4) and MQTT 3.1 ("MQIsdp",
/// level 3). A known protocol name with another level is returned, not rejected, so that the connection can
/// answer CONNACK <see cref="ConnectReturnCode.UnacceptableProtocolVersion"/>; such a packet carries only its
/// name and level (the rest of a foreign version's body is not parsed). Equality compares password bytes.
/// </summary>
public sealed record ConnectPacket(
    string ProtocolName,
    byte ProtocolLevel,
    string ClientId,
    bool CleanSession,
    ushort KeepAliveSeconds,
    string? UserName,
    byte[]? Password,
    WillMessage? Will) : MqttPacket
{
    public const string Mqtt311ProtocolName = "MQTT";
    public const byte Mqtt311ProtocolLevel = 4;
    public const string Mqtt31ProtocolName = "MQIsdp";
    public const byte Mqtt31ProtocolLevel = 3;

    private const string Name = "CONNECT";
    private const byte ReservedFlag = 0x01;
    private const byte CleanSessionFlag = 0x02;
    private const byte WillFlag = 0x04;
    private const byte WillRetainFlag = 0x20;
    private const byte PasswordFlag = 0x40;
    private const byte UserNameFlag = 0x80;

    public override PacketType Type => PacketType.Connect;

    /// <summary>
    /// True for MQTT 3.1.1 and MQTT 3.1, the versions whose CONNECT this codec parses completely. When false,
    /// only <see cref="ProtocolName"/> and <see cref="ProtocolLevel"/> are meaningful.
    /// </summary>
    public bool IsSupportedProtocolVersion => IsSupported(ProtocolName, ProtocolLevel);

    public override int GetSize() => PacketWriter.GetTotalSize(GetRemainingLength());

    public override void Write(IBufferWriter<byte> output)
    {
        var flags = (byte)((CleanSession ? CleanSessionFlag : 0)
            | (UserName is null ? 0 : UserNameFlag)
            | (Password is null ? 0 : PasswordFlag));
        if (Will is not null)
        {
            flags |= (byte)(WillFlag | ((byte)Will.Qos << 3) | (Will.Retain ? WillRetainFlag : 0));
        }

        var writer = PacketWriter.Begin(output, PacketType.Connect, 0, GetRemainingLength());
        writer.WriteString(ProtocolName);
        writer.WriteByte(ProtocolLevel);
        writer.WriteByte(flags);
        writer.WriteUInt16(KeepAliveSeconds);
        writer.WriteString(ClientId);
        if (Will is not null)
        {
            writer.WriteString(Will.Topic);
            writer.WriteBinary(Will.Payload);
        }

        if (UserName is not null)
        {
            writer.WriteString(UserName);
        }

        if (Password is not null)
        {
            writer.WriteBinary(Password);
        }

        writer.Complete();
    }

    public bool Equals(ConnectPacket? other) =>
        other is not null
        && ProtocolName == other.ProtocolName
        && ProtocolLevel == other.ProtocolLevel
        && ClientId == other.ClientId
        && CleanSession == other.CleanSession
        && KeepAliveSeconds == other.KeepAliveSeconds
        && UserName == other.UserName
        && (Password is null ? other.Password is null : other.Password is not null && Password.AsSpan().SequenceEqual(other.Password))
        && Equals(Will, other.Will);

    public override int GetHashCode() => HashCode.Combine(ProtocolName, ProtocolLevel, ClientId, CleanSession, KeepAliveSeconds, UserName, Will);

    internal static ConnectPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectFlags(flags, 0, Name);
        var reader = new PacketBodyReader(body, Name);
        var protocolName = reader.ReadString("protocol name");
        if (protocolName is not (Mqtt311ProtocolName or Mqtt31ProtocolName))
        {
            throw new MalformedPacketException($"{Name}: protocol name is neither {Mqtt311ProtocolName} nor {Mqtt31ProtocolName}");
        }

        var protocolLevel = reader.ReadByte("protocol level");
        if (!IsSupported(protocolName, protocolLevel))
        {
            return new ConnectPacket(protocolName, protocolLevel, "", false, 0, null, null, null);
        }

        var connectFlags = reader.ReadByte("connect flags");
        if ((connectFlags & ReservedFlag) != 0)
        {
            throw new MalformedPacketException($"{Name}: reserved connect flag (bit 0) is set");
        }

        var hasWill = (connectFlags & WillFlag) != 0;
        var willQos = (connectFlags >> 3) & 0x03;
        var willRetain = (connectFlags & WillRetainFlag) != 0;
        var hasUserName = (connectFlags & UserNameFlag) != 0;
        var hasPassword = (connectFlags & PasswordFlag) != 0;
        if (!hasWill && (willQos != 0 || willRetain))
        {
            throw new MalformedPacketException($"{Name}: will QoS or will retain is set without the will flag");
        }

        if (willQos == 3)
        {
            throw new MalformedPacketException($"{Name}: will QoS is 3");
        }

        // MQTT 3.1 allowed a password without a user name; 3.1.1 does not.
        if (hasPassword && !hasUserName && protocolLevel == Mqtt311ProtocolLevel)
        {
            throw new MalformedPacketException($"{Name}: password flag is set without the user name flag");
        }

        var keepAlive = reader.ReadUInt16("keep alive");
        var clientId = reader.ReadString("client identifier");
        WillMessage? will = null;
        if (hasWill)
        {
            var willTopic = reader.ReadString("will topic");
            if (!TopicValidation.IsValidTopicName(willTopic))
            {
                throw new MalformedPacketException($"{Name}: will topic is empty or contains a wildcard");
            }

            will = new WillMessage(willTopic, reader.ReadBinary("will message"), (QualityOfService)willQos, willRetain);
        }

        var userName = hasUserName ? reader.ReadString("user name") : null;
        var password = hasPassword ? reader.ReadBinary("password") : null;
        reader.ExpectEnd();
        return new ConnectPacket(protocolName, protocolLevel, clientId, (connectFlags & CleanSessionFlag) != 0, keepAlive, userName, password, will);
    }

    private static bool IsSupported(string protocolName, byte protocolLevel) =>
        (protocolName, protocolLevel) is (Mqtt311ProtocolName, Mqtt311ProtocolLevel) or (Mqtt31ProtocolName, Mqtt31ProtocolLevel);

    private int GetRemainingLength()
    {
        var length = PacketWriter.GetStringSize(ProtocolName) + 1 + 1 + 2 + PacketWriter.GetStringSize(ClientId);
        if (Will is not null)
        {
            length += PacketWriter.GetStringSize(Will.Topic) + PacketWriter.GetBinarySize(Will.Payload.Length);
        }

        if (UserName is not null)
        {
            length += PacketWriter.GetStringSize(UserName);
        }

        if (Password is not null)
        {
            length += PacketWriter.GetBinarySize(Password.Length);
        }

        return length;
    }
}

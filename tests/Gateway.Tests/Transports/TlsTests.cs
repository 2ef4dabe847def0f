using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Broker.Gateway.Tests.Mosquitto;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>MQTT over TLS with the development certificate, as a user would use it: mosquitto's clients with <c>--cafile</c>, and MQTTnet.</summary>
[Collection(TransportCollection.Name)]
public sealed class TlsTests(TransportFixture broker)
{
    [Fact]
    public async Task MosquittoClientsExchangeAMessageOverTlsTrustingTheDevelopmentCertificate()
    {
        var topic = TestNames.Topic();
        string[] connection = ["-h", "localhost", "-p", broker.MqttTlsPort.ToString(), "--cafile", broker.CertificatePath, "-u", TransportFixture.Instance, "-P", TransportFixture.Secret, "-V", "mqttv311"];
        await using var subscriber = MosquittoProcess.Start("mosquitto_sub", [.. connection, "-d", "-t", $"{topic}/#", "-q", "1", "-C", "1", "-v", "-W", "30"]);
        await subscriber.WaitUntilSubscribedAsync();

        await using var publisher = MosquittoProcess.Start("mosquitto_pub", [.. connection, "-t", $"{topic}/tls", "-m", "over tls", "-q", "1"]);
        var published = await publisher.WaitForExitAsync();
        var received = await subscriber.WaitForExitAsync();

        Assert.True(published.ExitCode == 0, $"mosquitto_pub exited with {published.ExitCode}: {published.StandardError}");
        Assert.Equal(0, received.ExitCode);
        Assert.Equal([$"{topic}/tls over tls"], received.Messages);
    }

    [Fact]
    public async Task MosquittoClientRefusesTheBrokerWithoutTheCertificateToTrust()
    {
        await using var publisher = MosquittoProcess.Start(
            "mosquitto_pub",
            ["-h", "localhost", "-p", broker.MqttTlsPort.ToString(), "--capath", "/nonexistent", "-u", TransportFixture.Instance, "-P", TransportFixture.Secret, "-t", "x", "-m", "x"]);

        Assert.NotEqual(0, (await publisher.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task MqttNetClientSubscribesAndPublishesOverTls()
    {
        var topic = TestNames.Topic();
        await using var client = await broker.ConnectMqttNetAsync(Transport.Tls);
        await client.SubscribeAsync(topic);

        await client.PublishAsync(topic, "round trip");

        Assert.Equal(new ReceivedMessage(topic, "round trip", MqttQualityOfServiceLevel.AtLeastOnce, false), await client.ReceiveAsync());
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task TlsListenerSpeaksTls12AndTls13(SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(broker.Host, broker.MqttTlsPort);
        await using var tls = new SslStream(tcp.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocol,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => TlsTrust.IsTrusted(broker.Certificate, certificate, errors),
        });
        var connect = new ConnectPacket(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, TestNames.ClientId(), true, 60, TransportFixture.Instance, Encoding.UTF8.GetBytes(TransportFixture.Secret), null);
        await tls.WriteAsync(RawWebSocketClient.Encode(connect));
        var connAck = new byte[4];
        await tls.ReadExactlyAsync(connAck);

        Assert.Equal(protocol, tls.SslProtocol);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connAck);
    }
}

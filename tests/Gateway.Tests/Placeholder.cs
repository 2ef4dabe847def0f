namespace Broker.Gateway.Tests;

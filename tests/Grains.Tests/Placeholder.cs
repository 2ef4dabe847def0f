namespace Broker.Grains.Tests;

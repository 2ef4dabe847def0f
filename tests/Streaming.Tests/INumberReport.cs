namespace Broker.Streaming.Tests;

/// <summary>Where a consumer grain reports each number it receives, with its token, in the order it received them.</summary>
public interface INumberReport : IGrainObserver
{
    Task Report(int item, PushSequenceToken token);
}

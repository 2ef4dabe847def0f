using System.Data.Common;

namespace Broker.Grains.Storage;

internal static class DbCommandExtensions
{
    /// <summary>Adds a parameter by name; null is sent as SQL NULL.</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

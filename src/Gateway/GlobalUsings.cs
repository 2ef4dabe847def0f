global using System.Collections.Immutable;
global using System.Diagnostics.CodeAnalysis;

using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("LinqP2P.Ethereum.Tests")]

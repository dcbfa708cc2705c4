using System.CommandLine;
using Citadel.Cli;

var root = new RootCommand("Citadel: the encryption services of a public cloud, on your own machines.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(EnvCommand.Create());
root.Subcommands.Add(OperatorCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(KmsCommand.Create());
root.Subcommands.Add(IamCommand.Create());
root.Subcommands.Add(S3Command.Create());
return await root.Parse(args).InvokeAsync();

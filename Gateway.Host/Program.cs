using Gateway.Host.Cli;
using Gateway.Host.Hosting;

SocketEngineSettings.Apply();
return await GatewayCli.InvokeAsync(args);

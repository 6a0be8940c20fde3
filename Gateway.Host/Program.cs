using Gateway.Host.Cli;

return await GatewayCli.Build().Parse(args).InvokeAsync();

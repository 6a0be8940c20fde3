using Gateway.Host.Cli;

return await GatewayCli.InvokeAsync(args);

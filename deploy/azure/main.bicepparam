using 'main.bicep'

// Replace with your workspace and the gateway identity's principal (object) id.
param workspaceName = 'law-gateway'
param gatewayPrincipalId = '00000000-0000-0000-0000-000000000000'

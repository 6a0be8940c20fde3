// Azure Monitor destination for the gateway's frame log (docs/azure-monitor.md):
//   - the Log Analytics custom table GatewayFrames_CL with every frame-log column, typed (columns.json);
//   - a data collection rule (kind Direct: it has its own logs ingestion endpoint) declaring the stream
//     Custom-GatewayFrames, transformKql 'source', output to the table;
//   - optionally a data collection endpoint, for private link (AMPLS) setups;
//   - Monitoring Metrics Publisher on the rule for the gateway's managed identity (what the Logs Ingestion API checks).
// Deploy into the resource group of an existing workspace:
//   az deployment group create -g RG -f deploy/azure/main.bicep -p deploy/azure/main.bicepparam

@description('Name of an existing Log Analytics workspace in this resource group.')
param workspaceName string

@description('Object (principal) id of the managed identity the gateway runs as (system- or user-assigned).')
param gatewayPrincipalId string

@description('Type of that principal; ServicePrincipal for managed identities.')
@allowed(['ServicePrincipal', 'User', 'Group'])
param gatewayPrincipalType string = 'ServicePrincipal'

param location string = resourceGroup().location

@description('Name of the data collection rule.')
param dataCollectionRuleName string = 'gateway-frames'

@description('Create a data collection endpoint and attach the rule to it (needed behind Azure Monitor Private Link Scope).')
param useDataCollectionEndpoint bool = false

param dataCollectionEndpointName string = 'gateway-frames-dce'

@description('Public network access of the endpoint when one is created.')
@allowed(['Enabled', 'Disabled'])
param endpointPublicNetworkAccess string = 'Enabled'

@description('Interactive retention of the table, days.')
@minValue(4)
@maxValue(730)
param retentionInDays int = 90

@description('Total retention including long-term (archive), days.')
@minValue(4)
@maxValue(4383)
param totalRetentionInDays int = 365

var tableName = 'GatewayFrames_CL'
var streamName = 'Custom-GatewayFrames'
var columns = loadJsonContent('columns.json')
// Stream declarations spell the date-time type 'datetime' and carry no descriptions.
var streamColumns = map(columns, c => { name: c.name, type: c.type == 'dateTime' ? 'datetime' : c.type })
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: tableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    totalRetentionInDays: totalRetentionInDays
    schema: {
      name: tableName
      description: 'Gateway frame log: one row per record; Node + Seq is unique per record (rows may repeat after a retry).'
      columns: columns
    }
  }
}

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = if (useDataCollectionEndpoint) {
  name: dataCollectionEndpointName
  location: location
  properties: {
    networkAcls: {
      publicNetworkAccess: endpointPublicNetworkAccess
    }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: dataCollectionRuleName
  location: location
  kind: 'Direct'
  properties: {
    description: 'Gateway frame log via the Logs Ingestion API'
    dataCollectionEndpointId: useDataCollectionEndpoint ? endpoint.id : null
    streamDeclarations: {
      '${streamName}': {
        columns: streamColumns
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [streamName]
        destinations: ['workspace']
        transformKql: 'source'
        outputStream: 'Custom-${tableName}'
      }
    ]
  }
  dependsOn: [table]
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(rule.id, gatewayPrincipalId, monitoringMetricsPublisher)
  scope: rule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: gatewayPrincipalId
    principalType: gatewayPrincipalType
  }
}

@description('audit.sinks[].endpoint')
output endpoint string = useDataCollectionEndpoint ? endpoint!.properties.logsIngestion.endpoint : rule.properties.endpoints.logsIngestion

@description('audit.sinks[].rule_id (the rule\'s immutable id)')
output ruleId string = rule.properties.immutableId

@description('audit.sinks[].stream')
output stream string = streamName

@description('The table to query (docs/kql).')
output table string = tableName
